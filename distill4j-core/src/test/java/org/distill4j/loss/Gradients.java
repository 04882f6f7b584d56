package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;

/** Test helpers: d loss / d input through DJL's collector, and seeded host-side random data. */
final class Gradients {
    private Gradients() {}

    /** The gradient of loss(input) w.r.t. input, as a flat array. Opens the (single) collector. */
    static float[] of(NDArray input, Function<NDArray, NDArray> loss) {
        input.setRequiresGradient(true);
        try (GradientCollector collector = input.getManager().getEngine().newGradientCollector()) {
            NDArray value = loss.apply(input);
            collector.backward(value);
            return input.getGradient().toFloatArray();
        }
    }

    /** Every entry finite and at least one non-zero. */
    static void assertFiniteAndNonZero(float[] gradient) {
        boolean nonZero = false;
        for (float g : gradient) {
            assertTrue(Float.isFinite(g), "non-finite gradient entry " + g);
            nonZero |= g != 0;
        }
        assertTrue(nonZero, "gradient is all zeros");
    }

    /** n standard-normal floats from a fixed seed, so tests never depend on the engine's generator. */
    static float[] normal(long seed, int n) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
