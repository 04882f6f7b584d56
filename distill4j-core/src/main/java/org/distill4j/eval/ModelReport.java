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
     * @param speed     latency and throughput, distill4j's own inference
     * @param onnxSpeed the same in ONNX Runtime (CPU), or null if it could not be measured
     */
    public record Result(double top1, long params, long sizeBytes, Speed.Result speed, Speed.Result onnxSpeed) {}

    private ModelReport() {}

    public static Result measure(SavedModel.Loaded model, Path modelDir, ImageDataset test, NDManager manager)
            throws IOException {
        SavedModel.Info info = model.info();
        double top1 = Accuracy.top1(model.network(), test, info.mean(), info.std(), THROUGHPUT_BATCH, manager);
        Speed.Result speed = Speed.measure(model.network(), manager, info.channels(), info.height(),
                info.imageWidth(), LATENCY_WARMUP, LATENCY_RUNS, THROUGHPUT_BATCH);
        return new Result(top1, Models.countParameters(model.network()), SavedModel.sizeBytes(modelDir), speed,
                onnxSpeed(model, manager));
    }

    /**
     * ONNX Runtime's latency and throughput of the model, or null with a warning on stderr when the export or the
     * runtime fails: a finished run's other figures must not be lost to it.
     */
    public static Speed.Result onnxSpeed(SavedModel.Loaded model, NDManager manager) {
        try {
            return Speed.measureOnnx(model, manager, LATENCY_WARMUP, LATENCY_RUNS, THROUGHPUT_BATCH);
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: ONNX Runtime latency of " + model.info().model() + " not measured: "
                    + e.getMessage());
            return null;
        }
    }
}
