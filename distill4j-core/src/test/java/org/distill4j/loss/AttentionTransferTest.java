package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Attention transfer: its invariances, a hand case, the resize path and the mask. */
class AttentionTransferTest {

    /*
     * Student (1, 2, 1, 2): channel 0 = [1, 0], channel 1 = [0, 1] -> Q = [1, 1] -> q_s = [1/sqrt2, 1/sqrt2].
     * Teacher (1, 1, 1, 2): [3, 0] -> Q = [9, 0] -> q_t = [1, 0].
     * Squared differences: d = [(1/sqrt2 - 1)^2, 1/2] = [0.0857864, 0.5]; mean = 1 - 1/sqrt2 = 0.2928932.
     */
    private static final double D0 = Math.pow(1 / Math.sqrt(2) - 1, 2);
    private static final double D1 = 0.5;

    private static NDArray handStudent(NDManager m) {
        return m.create(new float[] {1, 0, 0, 1}, new Shape(1, 2, 1, 2));
    }

    private static NDArray handTeacher(NDManager m) {
        return m.create(new float[] {3, 0}, new Shape(1, 1, 1, 2));
    }

    @Test
    void handExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            float loss = AttentionTransfer.loss(handStudent(m), handTeacher(m), null).getFloat();
            assertEquals(1 - 1 / Math.sqrt(2), loss, 1e-6);
            assertEquals((D0 + D1) / 2, loss, 1e-6);
        }
    }

    @Test
    void zeroForIdenticalOrPositivelyRescaledFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(Gradients.normal(5, 2 * 3 * 4 * 4), new Shape(2, 3, 4, 4));
            assertEquals(0, AttentionTransfer.loss(s, s.duplicate(), null).getFloat(), 1e-6);
            // per-sample scale 2 and 0.5, and the channels duplicated: Q scales by 8 and 0.5
            NDArray scaled = s.mul(m.create(new float[] {2, 0.5f}, new Shape(2, 1, 1, 1)));
            NDArray t = scaled.concat(scaled, 1);
            assertEquals(0, AttentionTransfer.loss(s, t, null).getFloat(), 1e-6);
            NDArray other = m.create(Gradients.normal(6, 2 * 3 * 4 * 4), new Shape(2, 3, 4, 4));
            assertTrue(AttentionTransfer.loss(s, other, null).getFloat() > 1e-3);
        }
    }

    /*
     * Student 4x4 against teacher 2x2: the student's FEATURE MAP is block-averaged to 2x2 before its attention map is
     * taken (RepDistiller's AT.py), which is not the same as block-averaging the attention map.
     */
    @Test
    void differentSizesPoolTheLargerFeatureMapFirst() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(Gradients.normal(7, 2 * 4 * 4 * 4), new Shape(2, 4, 4, 4));
            NDArray t = m.create(Gradients.normal(8, 2 * 8 * 2 * 2), new Shape(2, 8, 2, 2));
            float[] f = s.toFloatArray(); // (2, 4, 4, 4) row-major
            float[] pooled = new float[2 * 4 * 2 * 2];
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 4; c++) {
                    for (int r = 0; r < 4; r++) {
                        for (int col = 0; col < 4; col++) {
                            pooled[((b * 4 + c) * 2 + r / 2) * 2 + col / 2] += f[((b * 4 + c) * 4 + r) * 4 + col] / 4;
                        }
                    }
                }
            }
            NDArray pooledFeatures = m.create(pooled, new Shape(2, 4, 2, 2));
            NDArray expected = AttentionTransfer.lossOnMaps(AttentionMaps.spatial(pooledFeatures),
                    AttentionMaps.spatial(t), null);
            float loss = AttentionTransfer.loss(s, t, null).getFloat();
            assertEquals(expected.getFloat(), loss, 1e-6);
            assertTrue(loss > 0);
            // symmetric in which side is larger
            assertEquals(loss, AttentionTransfer.loss(t, s, null).getFloat(), 1e-6);
            // resizing the attention map instead (what distill4j did before) gives another number
            float resized = AttentionTransfer.lossOnMaps(AttentionMaps.spatial(s), AttentionMaps.spatial(t), null)
                    .getFloat();
            assertTrue(Math.abs(resized - loss) > 1e-3 * loss, loss + " vs " + resized);
        }
    }

    /* The 16x16 -> 8x8 case: feature pooling and map resizing differ by several percent. */
    @Test
    void poolingFeaturesAndResizingMapsDifferOnA16To8Pair() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(Gradients.normal(11, 8 * 16 * 16 * 16), new Shape(8, 16, 16, 16)).abs();
            NDArray t = m.create(Gradients.normal(12, 8 * 32 * 8 * 8), new Shape(8, 32, 8, 8)).abs();
            float pooled = AttentionTransfer.loss(s, t, null).getFloat();
            float resized = AttentionTransfer.lossOnMaps(AttentionMaps.spatial(s), AttentionMaps.spatial(t), null)
                    .getFloat();
            System.out.printf(java.util.Locale.ROOT, "AT 16x16 -> 8x8: pooled features %.6g, resized maps %.6g (%.1f%%)%n",
                    pooled, resized, 100 * (resized - pooled) / pooled);
            assertTrue(Math.abs(resized - pooled) > 0.02 * pooled, pooled + " vs " + resized);
        }
    }

    @Test
    void maskWeighsPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = handStudent(m);
            NDArray t = handTeacher(m);
            float unmasked = AttentionTransfer.loss(s, t, null).getFloat();
            assertEquals(unmasked, AttentionTransfer.loss(s, t, m.ones(new Shape(1, 1, 2))).getFloat(), 1e-7);
            // a 2x4 mask of ones is pooled to the 1x2 map size and still changes nothing
            assertEquals(unmasked, AttentionTransfer.loss(s, t, m.ones(new Shape(1, 2, 4))).getFloat(), 1e-7);
            assertEquals(0, AttentionTransfer.loss(s, t, m.zeros(new Shape(1, 1, 2))).getFloat(), 0);
            // one position kept: its squared difference over the 2 positions
            NDArray second = m.create(new float[] {0, 1}, new Shape(1, 1, 2));
            assertEquals(D1 / 2, AttentionTransfer.loss(s, t, second).getFloat(), 1e-6);
            NDArray first = m.create(new float[] {1, 0}, new Shape(1, 1, 2));
            assertEquals(D0 / 2, AttentionTransfer.loss(s, t, first).getFloat(), 1e-6);
            // a half weight halves it
            NDArray half = m.create(new float[] {0.5f, 0.5f}, new Shape(1, 1, 2));
            assertEquals(unmasked / 2, AttentionTransfer.loss(s, t, half).getFloat(), 1e-6);
        }
    }

    /* Student 3x3 against teacher 2x2 goes through the bilinear matrices; the gradient must reach it. */
    @Test
    void gradientReachesStudentThroughBilinearResize() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(Gradients.normal(9, 2 * 3 * 3 * 3), new Shape(2, 3, 3, 3));
            NDArray t = m.create(Gradients.normal(10, 2 * 5 * 2 * 2), new Shape(2, 5, 2, 2));
            NDArray mask = m.create(new float[] {1, 0.5f, 0, 1, 1, 1, 0.2f, 0.7f}, new Shape(2, 2, 2));
            Gradients.assertFiniteAndNonZero(Gradients.of(s, x -> AttentionTransfer.loss(x, t, mask)));
        }
    }
}
