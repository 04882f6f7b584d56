package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deep mutual learning's mimicry term against the formula computed in plain Java, values and gradients. */
class MutualLearningTest {
    private static final int B = 4;
    private static final int C = 5;

    @Test
    void eachPeersTermIsTheMeanKlFromTheOthersAndMovesThatPeerAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[][] z = {Gradients.normal(1, B * C), Gradients.normal(2, B * C), Gradients.normal(3, B * C)};
            List<NDArray> logits = new ArrayList<>();
            for (float[] v : z) {
                NDArray a = m.create(v, new Shape(B, C));
                a.setRequiresGradient(true);
                logits.add(a);
            }
            float[][] expected;
            float[][] grads;
            try (GradientCollector g = m.getEngine().newGradientCollector()) {
                List<NDArray> terms = MutualLearning.mimicry(logits, 1.0);
                expected = new float[3][];
                for (int i = 0; i < 3; i++) {
                    double want = 0;
                    for (int j = 0; j < 3; j++) {
                        if (j != i) {
                            want += kl(z[j], z[i]) / 2;
                        }
                    }
                    assertEquals(want, terms.get(i).getFloat(), 1e-5, "peer " + i + "'s term");
                }
                // one backward of the sum, as the trainer does: each peer's gradient is its own term's alone
                g.backward(terms.get(0).add(terms.get(1)).add(terms.get(2)));
            }
            grads = new float[3][];
            for (int i = 0; i < 3; i++) {
                grads[i] = logits.get(i).getGradient().toFloatArray();
            }
            for (int i = 0; i < 3; i++) {
                float[] p = softmax(z[i]);
                float[] want = new float[B * C];
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        float[] q = softmax(z[j]);
                        for (int k = 0; k < B * C; k++) {
                            want[k] += (p[k] - q[k]) / 2 / B; // d/dz_i of mean_j KL(p_j || p_i), averaged over B
                        }
                    }
                }
                for (int k = 0; k < B * C; k++) {
                    assertEquals(want[k], grads[i][k], 1e-6, "peer " + i + " gradient entry " + k);
                }
            }
        }
    }

    @Test
    void twoPeersAreEachOthersTeacherAndOnePeerIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = Gradients.normal(4, B * C);
            float[] b = Gradients.normal(5, B * C);
            List<NDArray> terms = MutualLearning.mimicry(List.of(m.create(a, new Shape(B, C)),
                    m.create(b, new Shape(B, C))), 1.0);
            assertEquals(kl(b, a), terms.get(0).getFloat(), 1e-5);
            assertEquals(kl(a, b), terms.get(1).getFloat(), 1e-5);
            assertThrows(IllegalArgumentException.class,
                    () -> MutualLearning.mimicry(List.of(m.create(a, new Shape(B, C))), 1.0));
        }
    }

    /** 1/B sum_b KL(softmax(t_b) || softmax(s_b)), in doubles. */
    private static double kl(float[] teacher, float[] student) {
        float[] p = softmax(teacher);
        float[] q = softmax(student);
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            sum += p[k] * (Math.log(p[k]) - Math.log(q[k]));
        }
        return sum / B;
    }

    private static float[] softmax(float[] z) {
        float[] out = new float[z.length];
        for (int b = 0; b < B; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < C; k++) {
                max = Math.max(max, z[b * C + k]);
            }
            double s = 0;
            for (int k = 0; k < C; k++) {
                s += Math.exp(z[b * C + k] - max);
            }
            for (int k = 0; k < C; k++) {
                out[b * C + k] = (float) (Math.exp(z[b * C + k] - max) / s);
            }
        }
        return out;
    }
}
