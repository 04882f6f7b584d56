package org.distill4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.function.UnaryOperator;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.loss.CrossEntropy;
import org.distill4j.model.Network;

/** Top-1 accuracy of a model in inference mode (BatchNorm uses its running statistics; no graph is built). */
public final class Accuracy {
    private Accuracy() {}

    /** Fraction of images whose arg-max logit equals the label, in [0, 1]. */
    public static double top1(Network model, ImageDataset data, float[] mean, float[] std, int batchSize,
            NDManager manager) {
        ParameterStore ps = new ParameterStore(manager, false);
        return top1(x -> model.features(ps, x, false).logits(), data, mean, std, batchSize, manager);
    }

    /**
     * The same for any model given as its logits function (a TorchScript teacher, say), fed batches normalised
     * with {@code mean} and {@code std}.
     */
    public static double top1(UnaryOperator<NDArray> logits, ImageDataset data, float[] mean, float[] std,
            int batchSize, NDManager manager) {
        long correct = 0;
        long seen = 0;
        try (BatchLoader loader = BatchLoader.builder().setDataset(data).setBatchSize(batchSize)
                .optNormalization(mean, std).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDList arrays = batch.toNDList(step);
                    correct += CrossEntropy.correct(logits.apply(arrays.get(0)), arrays.get(1));
                    seen += batch.batchSize();
                }
            }
        }
        return seen == 0 ? 0 : (double) correct / seen;
    }
}
