package org.distill4j.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.distill4j.export.OnnxExport;
import org.distill4j.export.OnnxModel;
import org.distill4j.model.SavedModel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.distill4j.model.Network;
import org.distill4j.model.FoldedNetwork;

/**
 * Inference speed: batch-1 latency (median of timed runs after warm-up, the figure a deployed student is
 * judged by) and throughput at a large batch. Inputs are random: speed does not depend on pixel values.
 */
public final class Speed {

    /**
     * @param medianMs     median batch-1 latency, milliseconds
     * @param minMs        fastest batch-1 run
     * @param runs         timed batch-1 runs
     * @param imagesPerSec throughput at the given batch size
     */
    public record Result(double medianMs, double minMs, int runs, double imagesPerSec, int throughputBatch) {}

    /**
     * The least time spent warming up, and timing the throughput batch, in each measurement: one second unless
     * the system property {@code distill4j.speed.minSeconds} says otherwise (the test suite sets 0, where the
     * call counts alone apply: its models are tiny and their speed is not what the tests check).
     */
    static final long MIN_NANOS =
            (long) (1e9 * Double.parseDouble(System.getProperty("distill4j.speed.minSeconds", "1")));

    private Speed() {}

    /** One inference call on a batch; it must finish the computation (read the logits) before it returns. */
    @FunctionalInterface
    public interface Inference {
        void run(NDArray x);
    }

    /** Latency and throughput of distill4j's own inference (the folded copy, through libtorch). */
    public static Result measure(Network net, NDManager manager, int channels, int height, int width,
            int warmup, int runs, int throughputBatch) {
        try (NDManager sub = manager.newSubManager();
                FoldedNetwork model = net.fold(sub)) {
            return measure(x -> model.features(x).logits().toFloatArray(), sub, channels, height, width, warmup,
                    runs, throughputBatch);
        }
    }

    /**
     * Latency and throughput of the same model exported to ONNX and run by ONNX Runtime on the CPU (through DJL's
     * OnnxRuntime engine, with its default threads), by the same protocol as {@link #measure(Network, NDManager,
     * int, int, int, int, int, int)}. The export goes to a temporary file, deleted afterwards.
     */
    public static Result measureOnnx(SavedModel.Loaded model, NDManager manager, int warmup, int runs,
            int throughputBatch) throws IOException {
        SavedModel.Info info = model.info();
        Path file = Files.createTempFile("distill4j-latency-", ".onnx");
        try (NDManager sub = manager.newSubManager()) {
            OnnxExport.write(model, sub, file);
            try (OnnxModel onnx = OnnxModel.open(file, Map.of())) {
                return measure(x -> onnx.logits(x).toFloatArray(), sub, info.channels(), info.height(),
                        info.imageWidth(), warmup, runs, throughputBatch);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Latency and throughput of any inference call, by the protocol above (inputs are random normal). */
    public static Result measure(Inference model, NDManager manager, int channels, int height, int width, int warmup,
            int runs, int throughputBatch) {
        try (NDManager sub = manager.newSubManager()) {
            double[] ms = latencies(model, sub, channels, height, width, warmup, runs);
            NDArray big = sub.randomNormal(new Shape(throughputBatch, channels, height, width));
            forward(model, big, sub); // warm-up at this batch size
            int reps = 0;
            long t0 = System.nanoTime();
            // At least 3 batches and 1 second, so a fast model is not timed on one noisy call.
            while (reps < 3 || System.nanoTime() - t0 < MIN_NANOS) {
                forward(model, big, sub);
                reps++;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(median(ms), ms[0], runs, reps * (double) throughputBatch / secs, throughputBatch);
        }
    }

    /** Batch-1 latency only: the median and fastest of {@code runs} timed calls after warm-up, milliseconds. */
    public static double[] latency(Network net, NDManager manager, int channels, int height, int width, int warmup,
            int runs) {
        try (NDManager sub = manager.newSubManager();
                FoldedNetwork model = net.fold(sub)) {
            double[] ms = latencies(x -> model.features(x).logits().toFloatArray(), sub, channels, height, width,
                    warmup, runs);
            return new double[] {median(ms), ms[0]};
        }
    }

    /** Sorted batch-1 times in milliseconds. */
    private static double[] latencies(Inference model, NDManager sub, int channels, int height, int width,
            int warmup, int runs) {
        double[] ms = new double[runs];
        NDArray one = sub.randomNormal(new Shape(1, channels, height, width));
        // Warm up for at least `warmup` calls and one second, so JIT compilation of the Java side and
        // libtorch's first-call work are not timed (earlier, 10 calls alone left 2x differences between
        // identical models measured one after another in one process).
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - warmStart < MIN_NANOS; i++) {
            forward(model, one, sub);
        }
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            forward(model, one, sub);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One inference call on x, its arrays freed on return. */
    private static void forward(Inference model, NDArray x, NDManager parent) {
        try (NDManager step = parent.newSubManager()) {
            x.tempAttach(step); // the forward's arrays land in step; x goes back to its manager on close
            model.run(x);
        }
    }
}
