package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Hinton KD on a 2x3 example worked by hand, then its zero, gradient and limiting cases. */
class SoftTargetsTest {

    /*
     * T = 2. Teacher t = [[2, 0, -2], [0, 2, 4]] -> t/T = [[1, 0, -1], [0, 1, 2]];
     * student s = [[0, 0, 0], [4, 2, 0]]       -> s/T = [[0, 0, 0], [2, 1, 0]].
     * With Z = 1 + e + e^2 = 11.107338 (log Z = 2.407606), e^-1 Z = 4.086161 (log 1.407606):
     *   p_t row 0 = [e, 1, 1/e] / 4.086161  = [0.6652410, 0.2447285, 0.0900306]
     *   p_t row 1 = [1, e, e^2] / 11.107338 = [0.0900306, 0.2447285, 0.6652410]
     *   p_s row 0 = [1/3, 1/3, 1/3]
     *   p_s row 1 = [e^2, e, 1] / 11.107338 = [0.6652410, 0.2447285, 0.0900306]
     * KL row 0 = sum p log p + log 3 = (0.6652410 * -0.4076059 + 0.2447285 * -1.4076059
     *            + 0.0900306 * -2.4076059) + 1.0986123 = -0.8323956 + 1.0986123 = 0.2662167
     * KL row 1 = sum p_t (log p_t - log p_s) = 0.0900306 * (0 - 2) + 0.2447285 * 0 + 0.6652410 * (2 - 0)
     *          = 2 * (0.6652410 - 0.0900306) = 1.1504208
     * batch mean = 0.7083187; times T^2 = 4 -> 2.8332749.
     */
    private static final float[] TEACHER = {2, 0, -2, 0, 2, 4};
    private static final float[] STUDENT = {0, 0, 0, 4, 2, 0};
    private static final double T = 2;

    @Test
    void handExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(TEACHER, new Shape(2, 3));
            NDArray s = m.create(STUDENT, new Shape(2, 3));
            assertArrayEquals(
                    new float[] {0.6652410f, 0.2447285f, 0.0900306f, 0.0900306f, 0.2447285f, 0.6652410f},
                    SoftTargets.probabilities(t, T).toFloatArray(),
                    1e-6f);
            assertEquals(2.8332749, SoftTargets.loss(s, t, T).getFloat(), 1e-5);
        }
    }

    @Test
    void zeroWhenStudentEqualsTeacher() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(Gradients.normal(1, 4 * 10), new Shape(4, 10)).mul(3);
            assertEquals(0, SoftTargets.loss(logits, logits.duplicate(), 4).getFloat(), 1e-6);
        }
    }

    /* (p_s - p_t) * T / B with B = 2, the rows above: row 0 = ([1/3] * 3 - p_t0), row 1 = p_s1 - p_t1. */
    @Test
    void gradientIsScaledProbabilityDifference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(TEACHER, new Shape(2, 3));
            NDArray s = m.create(STUDENT, new Shape(2, 3));
            float[] gradient = Gradients.of(s, x -> SoftTargets.loss(x, t, T));
            float[] byHand = {
                -0.3319076f, 0.0886049f, 0.2433028f, //
                0.5752104f, 0f, -0.5752104f
            };
            assertArrayEquals(byHand, gradient, 1e-5f);
            NDArray difference = SoftTargets.probabilities(s, T).sub(SoftTargets.probabilities(t, T));
            float[] byFormula = difference.mul(T / 2).toFloatArray();
            assertArrayEquals(byFormula, gradient, 1e-5f);
        }
    }

    @Test
    void kdInterpolatesBetweenCrossEntropyAndSoftLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(TEACHER, new Shape(2, 3));
            NDArray s = m.create(STUDENT, new Shape(2, 3));
            NDArray y = m.create(new long[] {0, 2});
            float ce = CrossEntropy.loss(s, y).getFloat();
            float soft = SoftTargets.loss(s, t, T).getFloat();
            assertEquals(ce, SoftTargets.kd(s, t, y, T, 0).getFloat(), 1e-6);
            assertEquals(soft, SoftTargets.kd(s, t, y, T, 1).getFloat(), 1e-6);
            assertEquals(0.7 * ce + 0.3 * soft, SoftTargets.kd(s, t, y, T, 0.3).getFloat(), 1e-5);
        }
    }

    @Test
    void probabilitiesSumToOneAndSoftenWithTemperature() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(TEACHER, new Shape(2, 3));
            double previous = -1;
            for (double temperature : new double[] {0.5, 1, 2, 4, 16}) {
                NDArray p = SoftTargets.probabilities(logits, temperature);
                assertArrayEquals(new float[] {1, 1}, p.sum(new int[] {1}).toFloatArray(), 1e-6f);
                float[] row = p.get(0).toFloatArray();
                double entropy = 0;
                for (float v : row) {
                    entropy -= v * Math.log(v);
                }
                assertTrue(entropy > previous, "entropy " + entropy + " at T=" + temperature);
                previous = entropy;
            }
            assertTrue(previous < Math.log(3));
        }
    }

    @Test
    void kdGradientReachesStudent() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(Gradients.normal(2, 12), new Shape(4, 3));
            NDArray s = m.create(Gradients.normal(3, 12), new Shape(4, 3));
            NDArray y = m.create(new long[] {0, 1, 2, 1});
            Gradients.assertFiniteAndNonZero(Gradients.of(s, x -> SoftTargets.kd(x, t, y, 4, 0.9)));
        }
    }
}
