package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** InfoNCE with in-batch negatives: a hand case, its uniform limit, and that it prefers aligned pairs. */
class InfoNceTest {

    /*
     * s = [[2, 0], [0, 3]] -> u = [[1, 0], [0, 1]]; t = [[5, 0], [3, 4]] -> v = [[1, 0], [0.6, 0.8]].
     * u . v^T = [[1, 0.6], [0, 0.8]]; / tau (0.5) = [[2, 1.2], [0, 1.6]].
     * row 0: -2 + log(e^2 + e^1.2) = log(1 + e^-0.8); row 1: -1.6 + log(1 + e^1.6) = log(1 + e^-1.6).
     * mean = (0.3711007 + 0.1839007) / 2 = 0.2775007.
     */
    @Test
    void handExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[] {2, 0, 0, 3}, new Shape(2, 2));
            NDArray t = m.create(new float[] {5, 0, 3, 4}, new Shape(2, 2));
            double expected = (Math.log(1 + Math.exp(-0.8)) + Math.log(1 + Math.exp(-1.6))) / 2;
            assertEquals(0.2775007, expected, 1e-7);
            assertEquals(expected, InfoNce.loss(s, t, 0.5).getFloat(), 1e-6);
        }
    }

    /* All rows identical: every similarity equal, each row a uniform softmax over B columns -> log B. */
    @Test
    void logBatchWhenAllSimilaritiesAreEqual() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray row = m.create(new float[] {1, -2, 0.5f});
            NDArray s = row.broadcast(new Shape(4, 3)).duplicate();
            NDArray t = row.mul(7).broadcast(new Shape(4, 3)).duplicate();
            assertEquals(Math.log(4), InfoNce.loss(s, t, 0.07).getFloat(), 1e-5);
        }
    }

    @Test
    void alignedPairsScoreLowerThanShuffledPairs() {
        try (NDManager m = NDManager.newBaseManager()) {
            int b = 8;
            int d = 16;
            float[] student = Gradients.normal(11, b * d);
            float[] noise = Gradients.normal(12, b * d);
            float[] aligned = new float[b * d];
            float[] shuffled = new float[b * d];
            for (int i = 0; i < b * d; i++) {
                aligned[i] = student[i] + 0.05f * noise[i];
            }
            for (int i = 0; i < b; i++) { // row i of the shuffled teacher is row i + 1 of the aligned one
                System.arraycopy(aligned, ((i + 1) % b) * d, shuffled, i * d, d);
            }
            NDArray s = m.create(student, new Shape(b, d));
            float good = InfoNce.loss(s, m.create(aligned, new Shape(b, d)), 0.1).getFloat();
            float bad = InfoNce.loss(s, m.create(shuffled, new Shape(b, d)), 0.1).getFloat();
            assertTrue(good < 0.1 && bad > Math.log(b), "aligned " + good + ", shuffled " + bad);
        }
    }

    @Test
    void gradientReachesStudent() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(Gradients.normal(13, 4 * 6), new Shape(4, 6));
            NDArray t = m.create(Gradients.normal(14, 4 * 6), new Shape(4, 6));
            Gradients.assertFiniteAndNonZero(Gradients.of(s, x -> InfoNce.loss(x, t, 0.2)));
        }
    }
}
