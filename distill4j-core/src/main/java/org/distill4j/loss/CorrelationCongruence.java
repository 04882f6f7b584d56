package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Correlation congruence: Peng, Jin, Liu, Li, Wu, Liu, Zhou &amp; Zhang, "Correlation Congruence for Knowledge
 * Distillation" (ICCV 2019, arXiv:1904.01802), in the simplified form its authors gave RepDistiller ({@code CC.py}):
 * with delta = |e_s - e_t| for embedded samples, L = 1/(B-1) * sum_{i<B-1} sum_k delta_ik * delta_(i+1)k, the
 * correlation of adjacent samples' residuals (not the paper's Gaussian-kernel version, which has another scale).
 */
public final class CorrelationCongruence {
    private CorrelationCongruence() {}

    /**
     * @param student (B, d) the student's embeddings
     * @param teacher (B, d) the teacher's embeddings
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher) {
        long b = student.getShape().get(0);
        if (b < 2) {
            throw new IllegalArgumentException("correlation congruence needs a batch of at least 2, got " + b);
        }
        NDArray delta = student.sub(teacher).abs(); // (B, d)
        NDArray first = delta.get("0:" + (b - 1)); // (B-1, d)
        NDArray next = delta.get("1:"); // (B-1, d)
        return first.mul(next).sum(new int[] {1}).mean();
    }
}
