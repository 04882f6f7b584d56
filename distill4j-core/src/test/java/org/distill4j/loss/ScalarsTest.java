package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Constants in a gradient step survive a garbage collection between the forward and the backward pass. With DJL's
 * {@code x.mul(2f)} the 2 lives in a Java buffer that a collection may free while autograd still needs it; forcing
 * collections there once gave d(2x)/dx = -1.5e31.
 */
class ScalarsTest {

    /** The gradient of loss(x), with garbage collections (and fresh garbage) between forward and backward. */
    private static float[] gradientThroughCollections(NDArray x, Function<NDArray, NDArray> loss) {
        x.setRequiresGradient(true);
        try (GradientCollector collector = x.getManager().getEngine().newGradientCollector()) {
            NDArray value = loss.apply(x);
            for (int i = 0; i < 5; i++) {
                byte[][] garbage = new byte[256][];
                for (int j = 0; j < garbage.length; j++) {
                    garbage[j] = new byte[4096];
                }
                java.nio.ByteBuffer.allocateDirect(1 << 16).putInt(0, 0x7f7f7f7f); // reuses freed direct memory
                System.gc();
            }
            collector.backward(value);
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void aConstantFactorKeepsItsValueForTheBackwardPass() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, -2, 3}, new Shape(3));
            float[] g = gradientThroughCollections(x, a -> a.mul(Scalars.of(2f)).div(Scalars.of(4f)).sum());
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, g, 0f);
            assertEquals(2f, Scalars.of(2f).getFloat(), 0f);
        }
    }

    @Test
    void softTargetsGradientIsTheSameWithCollectionsInBetween() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(Gradients.normal(2, 4 * 5), new Shape(4, 5));
            float[] plain = Gradients.of(m.create(Gradients.normal(1, 4 * 5), new Shape(4, 5)),
                    s -> SoftTargets.loss(s, t, 4));
            float[] collected = gradientThroughCollections(m.create(Gradients.normal(1, 4 * 5), new Shape(4, 5)),
                    s -> SoftTargets.loss(s, t, 4));
            assertArrayEquals(plain, collected, 0f);
            Gradients.assertFiniteAndNonZero(collected);
        }
    }
}
