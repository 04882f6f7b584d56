package org.distill4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * DKD stays finite when a network is so confident that its non-target mass underflows to 0 in float32 (a teacher
 * after one large step did this in BenchmarkStudiesRunTest: the reference's log(0) gave a NaN loss at batch 1).
 * The general values are in ReferenceTermsTest.
 */
class DecoupledKdTest {

    @Test
    void aSaturatedTeacherGivesTheLimitNotNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            // teacher: class 0 by a logit gap of 400 (exp(-400) is 0 in float32), student: uniform over 5 classes
            NDArray teacher = m.create(new float[] {400, 0, 0, 0, 0}, new ai.djl.ndarray.types.Shape(1, 5));
            NDArray student = m.zeros(new ai.djl.ndarray.types.Shape(1, 5));
            NDArray labels = m.create(new float[] {0});
            student.setRequiresGradient(true);
            try (GradientCollector c = m.getEngine().newGradientCollector()) {
                NDArray loss = DecoupledKd.loss(student, teacher, labels, 1.0, 8.0, 1.0);
                // TCKD = KL([1, 0] || [1/5, 4/5]) = log 5; the non-target classes are uniform for both: NCKD = 0
                assertEquals(Math.log(5), loss.getFloat(), 1e-5);
                c.backward(loss);
            }
            // d TCKD / d z_gt = p_s,gt - 1 = -0.8 (and +0.2 on each other class)
            float[] g = student.getGradient().toFloatArray();
            assertEquals(-0.8f, g[0], 1e-5);
            for (int k = 1; k < 5; k++) {
                assertTrue(Float.isFinite(g[k]));
                assertEquals(0.2f, g[k], 1e-5);
            }
        }
    }
}
