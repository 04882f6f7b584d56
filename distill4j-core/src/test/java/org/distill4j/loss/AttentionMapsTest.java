package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Attention maps, their normalisation and their resizing, on tensors small enough to check by hand. */
class AttentionMapsTest {

    /* channel 0 = [[1, 2], [3, 4]], channel 1 = [[-1, 0], [2, -2]] -> [[1+1, 4+0], [9+4, 16+4]]. */
    @Test
    void spatialSumsSquaresOverChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(new float[] {1, 2, 3, 4, -1, 0, 2, -2}, new Shape(1, 2, 2, 2));
            NDArray q = AttentionMaps.spatial(f);
            assertEquals(new Shape(1, 2, 2), q.getShape());
            assertArrayEquals(new float[] {2, 4, 13, 20}, q.toFloatArray(), 0f);
        }
    }

    /* [[1, 2], [2, 4]] has norm 5; [[0, 3], [0, 4]] has norm 5; an all-zero map stays zero (eps). */
    @Test
    void normalizedRowsHaveUnitNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.create(new float[] {1, 2, 2, 4, 0, 3, 0, 4, 0, 0, 0, 0}, new Shape(3, 2, 2));
            NDArray q = AttentionMaps.normalized(maps);
            assertEquals(new Shape(3, 4), q.getShape());
            float[] expected = {0.2f, 0.4f, 0.4f, 0.8f, 0, 0.6f, 0, 0.8f, 0, 0, 0, 0};
            assertArrayEquals(expected, q.toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {1, 1, 0}, q.norm(2, new int[] {1}, false).toFloatArray(), 1e-6f);
        }
    }

    /* 0..15 in a 4x4 grid: the 2x2 blocks average to 2.5, 4.5, 10.5, 12.5. */
    @Test
    void integerRatioIsBlockMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.arange(16f).reshape(1, 4, 4);
            NDArray r = AttentionMaps.resize(maps, 2, 2);
            assertEquals(new Shape(1, 2, 2), r.getShape());
            assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, r.toFloatArray(), 1e-6f);
            // (4, 4) -> (1, 2): rows average all 4, columns in pairs: 0..15 mean 7.5, minus/plus 1
            NDArray row = AttentionMaps.resize(maps, 1, 2);
            assertArrayEquals(new float[] {6.5f, 8.5f}, row.toFloatArray(), 1e-6f);
        }
    }

    /*
     * Half-pixel bilinear (align_corners = false): output i samples x = (i + 0.5) * in / out - 0.5.
     * 3 -> 2: x = 0.25, 1.75. The map v(r, c) = 3r + c is linear, so bilinear samples it exactly:
     * [[3*0.25 + 0.25, 3*0.25 + 1.75], [3*1.75 + 0.25, 3*1.75 + 1.75]] = [[1, 2.5], [5.5, 7]].
     * (align_corners = true would sample x = 0, 2 and give [[0, 2], [6, 8]]; pooling cannot apply.)
     */
    @Test
    void bilinearThreeToTwo() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.arange(9f).reshape(1, 3, 3);
            NDArray r = AttentionMaps.resize(maps, 2, 2);
            assertArrayEquals(new float[] {1, 2.5f, 5.5f, 7}, r.toFloatArray(), 1e-6f);
        }
    }

    /*
     * 4 -> 3: x = 0.5 * 4/3 - 0.5 = 1/6, 1.5 * 4/3 - 0.5 = 3/2, 2.5 * 4/3 - 0.5 = 17/6.
     * On v(r, c) = 4r + c, output (i, j) = 4 x_i + x_j; a second sample, v = 2 * (4r + c), doubles it.
     */
    @Test
    void bilinearFourToThree() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray first = m.arange(16f);
            NDArray maps = first.concat(first.mul(2)).reshape(2, 4, 4);
            double[] x = {1.0 / 6, 1.5, 17.0 / 6};
            float[] expected = new float[18];
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        expected[b * 9 + i * 3 + j] = (float) ((b + 1) * (4 * x[i] + x[j]));
                    }
                }
            }
            assertArrayEquals(expected, AttentionMaps.resize(maps, 3, 3).toFloatArray(), 1e-5f);
        }
    }

    /*
     * Upsampling 2 -> 3 (x = max(-1/6, 0), 1/2, 7/6 clamped to the last pixel) gives, on [[0, 1], [2, 3]],
     * [[0, .5, 1], [1, 1.5, 2], [2, 2.5, 3]], and agrees with libtorch's upsample_bilinear2d through DJL's
     * interpolation (whose forced antialias is a no-op when upsampling): same convention as PyTorch.
     */
    @Test
    void bilinearMatchesLibtorchWhenUpsampling() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.arange(4f).reshape(1, 2, 2);
            NDArray ours = AttentionMaps.resize(maps, 3, 3);
            float[] byHand = {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3};
            assertArrayEquals(byHand, ours.toFloatArray(), 1e-6f);
            NDArray maps5 = m.create(Gradients.normal(4, 2 * 3 * 5), new Shape(2, 3, 5));
            // mode 1 is DJL's bilinear, which the PyTorch engine maps to torch::kBilinear
            NDArray libtorch =
                    maps5.expandDims(1).getNDArrayInternal().interpolation(new long[] {7, 8}, 1, false);
            float[] expected = libtorch.squeeze(1).toFloatArray();
            assertArrayEquals(expected, AttentionMaps.resize(maps5, 7, 8).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void identityWhenSizesMatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.arange(12f).reshape(1, 3, 4);
            assertSame(maps, AttentionMaps.resize(maps, 3, 4));
        }
    }
}
