package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Probabilistic knowledge transfer: Passalis &amp; Tefas, "Learning Deep Representations with Probabilistic Knowledge
 * Transfer" (ECCV 2018, arXiv:1803.10837), with the cosine kernel, as RepDistiller's {@code PKT.py} computes it: each
 * embedding L2-normalised, S = (x x^T + 1) / 2 row-normalised to a distribution P, and
 * L = mean_{B x B} P_t * log((P_t + eps) / (P_s + eps)), eps = 1e-7.
 */
public final class Pkt {
    static final float EPS = 1e-7f;

    private Pkt() {}

    /**
     * @param student (B, d) embeddings
     * @param teacher (B, d') embeddings
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher) {
        NDArray ps = conditional(student);
        NDArray pt = conditional(teacher);
        return pt.mul(pt.add(EPS).div(ps.add(EPS)).log()).mean();
    }

    /** x / (||x|| + eps), cosine similarities scaled to [0, 1], rows divided by their sums: (B, d) -> (B, B). */
    static NDArray conditional(NDArray x) {
        NDArray norm = x.square().sum(new int[] {1}, true).sqrt(); // (B, 1)
        NDArray unit = x.div(norm.add(EPS));
        NDArray similarity = unit.matMul(unit.transpose()).add(1f).div(Scalars.of(2f)); // (B, B)
        return similarity.div(similarity.sum(new int[] {1}, true));
    }
}
