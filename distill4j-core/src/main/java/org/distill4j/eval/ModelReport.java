package org.distill4j.eval;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.distill4j.data.ImageDataset;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;

/** Accuracy, size and speed of one trained model: what {@code distill4j eval} prints and metrics.json stores. */
public final class ModelReport {
    /** Batch-1 latency: warm-up calls, then timed calls whose median is reported (at least 50, per the contract). */
    public static final int LATENCY_WARMUP = 10;
    public static final int LATENCY_RUNS = 60;
    public static final int THROUGHPUT_BATCH = 256;

    /**
     * @param top1      test accuracy in [0, 1]
     * @param params    trainable parameters
     * @param sizeBytes serialized parameter bytes
     * @param speed     latency and throughput
     */
    public record Result(double top1, long params, long sizeBytes, Speed.Result speed) {}

    private ModelReport() {}

    public static Result measure(SavedModel.Loaded model, Path modelDir, ImageDataset test, NDManager manager)
            throws IOException {
        SavedModel.Info info = model.info();
        double top1 = Accuracy.top1(model.network(), test, info.mean(), info.std(), THROUGHPUT_BATCH, manager);
        Speed.Result speed = Speed.measure(model.network(), manager, info.channels(), info.height(),
                info.imageWidth(), LATENCY_WARMUP, LATENCY_RUNS, THROUGHPUT_BATCH);
        return new Result(top1, Models.countParameters(model.network()), SavedModel.sizeBytes(modelDir), speed);
    }
}
