package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * InfoNCE: van den Oord, Li &amp; Vinyals 2018, "Representation Learning with Contrastive Predictive Coding"
 * (arXiv:1807.03748), eq. 4; here the seed's alignment term, with the in-batch pairing of CLIP-style
 * contrastive learning: the same image is the positive, the other images of the batch are the negatives.
 *
 * <p>L = -1/B * sum_i log( exp(u_i . v_i / tau) / sum_j exp(u_i . v_j / tau) ), u = s / ||s||, v = t / ||t||.
 */
public final class InfoNce {
    private InfoNce() {}

    /**
     * @param student (B, D)
     * @param teacher (B, D)
     * @param tau temperature &gt; 0; smaller values sharpen the distribution over the batch
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher, double tau) {
        AttentionMaps.requireRank(student, 2, "student");
        AttentionMaps.requireRank(teacher, 2, "teacher");
        if (!student.getShape().equals(teacher.getShape())) {
            throw new IllegalArgumentException(
                    "shapes differ: student " + student.getShape() + ", teacher " + teacher.getShape());
        }
        if (!(tau > 0)) {
            throw new IllegalArgumentException("tau must be > 0, got " + tau);
        }
        NDArray u = student.normalize(2, 1, 1e-12); // (B, D)
        NDArray v = teacher.normalize(2, 1, 1e-12); // (B, D)
        NDArray similarity = u.matMul(v.transpose()).div(Scalars.of((float) tau)); // (B, D) . (D, B) -> (B, B)
        long batch = student.getShape().get(0);
        // (B,): row i's positive is column i
        NDArray positives =
                student.getManager().arange(0f, batch, 1f, DataType.INT64, student.getDevice());
        return CrossEntropy.loss(similarity, positives);
    }
}
