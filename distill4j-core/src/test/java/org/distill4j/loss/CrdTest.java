package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** CRD's scores: scoring every record of a small training set and picking gives what gathering the rows gives. */
class CrdTest {

    /** exp(M[idx_bj] . v_b / tau), entry by entry on the host. */
    private static float[] byHand(float[] memory, int d, long[] idx, int k1, float[] anchor, double tau) {
        int b = anchor.length / d;
        float[] out = new float[b * k1];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k1; j++) {
                double dot = 0;
                int row = (int) idx[i * k1 + j];
                for (int c = 0; c < d; c++) {
                    dot += memory[row * d + c] * anchor[i * d + c];
                }
                out[i * k1 + j] = (float) Math.exp(dot / tau);
            }
        }
        return out;
    }

    @Test
    void scoresAreTheSameWhetherTheTrainingSetIsSmallerOrLargerThanKPlusOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            int d = 6;
            float[] anchor = Gradients.normal(3, 4 * d);
            for (int n : new int[] {8, 40}) { // 8 <= K+1 = 12: score all and pick; 40 > 12: gather rows
                float[] memory = Gradients.normal(n, n * d);
                long[] idx = new long[4 * 12];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = (i * 7L + 3) % n;
                }
                NDArray scores = Crd.scores(m.create(memory, new Shape(n, d)), m.create(idx, new Shape(4, 12)),
                        m.create(anchor, new Shape(4, d)).div(10f), 0.5);
                float[] expected = byHand(memory, d, idx, 12, m.create(anchor, new Shape(4, d)).div(10f).toFloatArray(),
                        0.5);
                float[] actual = scores.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-5f * expected[i], "N = " + n + ", entry " + i
                            + ": " + actual[i] + " vs " + expected[i]);
                }
                assertArrayEquals(new long[] {4, 12}, scores.getShape().getShape());
            }
        }
    }
}
