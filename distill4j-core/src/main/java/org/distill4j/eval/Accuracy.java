package org.distill4j.eval;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
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
        long correct = 0;
        long seen = 0;
        try (BatchLoader loader = BatchLoader.builder().setDataset(data).setBatchSize(batchSize)
                .optNormalization(mean, std).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDList arrays = batch.toNDList(step);
                    correct += CrossEntropy.correct(model.features(ps, arrays.get(0), false).logits(), arrays.get(1));
                    seen += batch.batchSize();
                }
            }
        }
        return seen == 0 ? 0 : (double) correct / seen;
    }
}
