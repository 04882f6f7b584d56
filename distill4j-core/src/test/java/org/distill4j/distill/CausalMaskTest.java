package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The causal mask: hand-made attributions with exact expected values, and properties on random ones. */
class CausalMaskTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    /** Each test draws the same numbers whether it runs alone or after others. */
    @BeforeEach
    void seed() {
        Engine.getInstance().setRandomSeed(5);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void sumsChannelsKeepsPositivePartScalesByMaxAndFallsBackToOnes() {
        // (B=2, C=2, 2, 2); sample 0 channel sums [[2, -2], [2, 0.5]]; sample 1 has no positive evidence
        NDArray attr = manager.create(
                new float[] {
                    1, -2, 3, 0, /* */ 1, 0, -1, 0.5f, // sample 0
                    -1, 0, -3, 0, /* */ 0, -1, 1, -0.5f // sample 1: sums [[-1, -1], [-2, -0.5]]
                },
                new Shape(2, 2, 2, 2));
        NDArray mask = CausalMask.fromAttributions(attr, 0);
        assertEquals(new Shape(2, 2, 2), mask.getShape());
        assertSame(attr.getManager(), mask.getManager());
        assertArrayEquals(new float[] {1, 0, 1, 0.25f, 1, 1, 1, 1}, mask.toFloatArray(), 1e-7f);
    }

    @Test
    void topFractionKeepsTheLargestPositionsAtTheirValues() {
        // one sample, one channel, 2 x 2: positive part [0.5, 1, 0.25, 0.75] after scaling by the max 4
        NDArray attr = manager.create(new float[] {2, 4, 1, 3}, new Shape(1, 1, 2, 2));
        assertArrayEquals(new float[] {0, 1, 0, 0.75f}, mask(attr, 0.5), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 1, 0, 0.75f}, mask(attr, 0.6), 1e-7f); // ceil(2.4) = 3
        assertArrayEquals(new float[] {0, 1, 0, 0}, mask(attr, 0.1), 1e-7f); // ceil(0.4) = 1: the max only
    }

    private static float[] mask(NDArray attributions, double topFraction) {
        return CausalMask.fromAttributions(attributions, topFraction).toFloatArray();
    }

    @Test
    void propertiesOnRandomAttributions() {
        int b = 4;
        int side = 6;
        NDArray attr = manager.randomNormal(new Shape(b, 3, side, side));
        attr.set(new ai.djl.ndarray.index.NDIndex("2"), -1f); // no positive evidence anywhere
        float[] full = CausalMask.fromAttributions(attr, 0).toFloatArray();
        assertArrayEquals(full, CausalMask.fromAttributions(attr, 1).toFloatArray(), 0f);
        int n = side * side;
        for (int s = 0; s < b; s++) {
            float[] sample = Arrays.copyOfRange(full, s * n, (s + 1) * n);
            float max = 0;
            for (float v : sample) {
                assertTrue(v >= 0 && v <= 1, "value outside [0, 1]: " + v);
                max = Math.max(max, v);
            }
            assertEquals(1f, max, 0f, "sample " + s + " max");
        }
        for (int i = 2 * n; i < 3 * n; i++) {
            assertEquals(1f, full[i], 0f, "fallback sample is not all ones");
        }
    }

    @Test
    void topQuarterKeepsExactlyCeilQuarterOfDistinctPositions() {
        int b = 3;
        int side = 7; // 49 positions: ceil(0.25 * 49) = 13
        NDArray attr = manager.randomUniform(0f, 1f, new Shape(b, 2, side, side)); // all positive, distinct
        float[] full = CausalMask.fromAttributions(attr, 0).toFloatArray();
        float[] top = CausalMask.fromAttributions(attr, 0.25).toFloatArray();
        int n = side * side;
        for (int s = 0; s < b; s++) {
            float[] sorted = Arrays.copyOfRange(full, s * n, (s + 1) * n);
            Arrays.sort(sorted);
            float threshold = sorted[n - 13];
            int kept = 0;
            for (int i = s * n; i < (s + 1) * n; i++) {
                if (top[i] != 0) {
                    kept++;
                    assertEquals(full[i], top[i], 0f, "a kept position changed value");
                }
                assertEquals(full[i] >= threshold, top[i] != 0, "position " + i);
            }
            assertEquals(13, kept, "sample " + s);
        }
    }

    @Test
    void rejectsBadArguments() {
        NDArray attr = manager.ones(new Shape(1, 1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CausalMask.fromAttributions(attr, -0.1));
        assertThrows(IllegalArgumentException.class, () -> CausalMask.fromAttributions(attr, 1.5));
        assertThrows(IllegalArgumentException.class, () -> CausalMask.fromAttributions(attr, Double.NaN));
        NDArray flat = manager.ones(new Shape(2, 2));
        assertThrows(IllegalArgumentException.class, () -> CausalMask.fromAttributions(flat, 0));
    }
}
