package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Similarity-preserving distillation: Tung &amp; Mori, "Similarity-Preserving Knowledge Distillation" (ICCV 2019,
 * arXiv:1907.09682), eq. 2-4, as RepDistiller's {@code SP.py} computes it. Q = F reshaped to (B, C*H*W); G = Q Q^T;
 * each row of G L2-normalised; L = ||G~_t - G~_s||_F^2 / B^2. Shapes of the two feature maps may differ entirely.
 */
public final class SimilarityPreserving {
    private SimilarityPreserving() {}

    /**
     * @param student (B, ...) a feature map (the spatial map, not the pooled vector)
     * @param teacher (B, ...)
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher) {
        long b = student.getShape().get(0);
        NDArray gs = gram(student);
        NDArray gt = gram(teacher);
        return gt.sub(gs).square().sum().div(Scalars.of((float) (b * b)));
    }

    /** (B, ...) -> (B, B), rows L2-normalised (eps 1e-12, as F.normalize). */
    static NDArray gram(NDArray f) {
        NDArray q = f.reshape(f.getShape().get(0), -1); // (B, D)
        return q.matMul(q.transpose()).normalize(2, 1, 1e-12);
    }
}
