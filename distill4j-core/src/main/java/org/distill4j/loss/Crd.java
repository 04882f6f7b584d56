package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Contrastive representation distillation: Tian, Krishnan &amp; Isola, "Contrastive Representation Distillation"
 * (ICLR 2020, arXiv:1910.10699), eq. 18 with a memory of embeddings, as RepDistiller's {@code crd/criterion.py} and
 * {@code crd/memory.py} compute it. For an anchor v (one network's L2-normalised embedding) and a memory M of the
 * other network's embeddings of the whole training set, the scores of the sample itself (column 0 of idx) and of K
 * negatives are P = exp(M[idx] . v / tau) / Z, and the NCE loss with noise distribution 1/N is
 * -1/B * sum_b [log(P_pos / (P_pos + K/N)) + sum_neg log((K/N) / (P_neg + K/N))].
 */
public final class Crd {
    /** The reference's guard inside both divisions. */
    static final float EPS = 1e-7f;

    private Crd() {}

    /**
     * exp(M[idx] . v / tau): each anchor against its own row and its negatives in the other side's memory.
     *
     * @param memory (N, d) the other network's stored embeddings (no gradient)
     * @param idx    (B, K+1) dataset indices, the sample's own first
     * @param anchor (B, d) this network's embeddings
     * @return (B, K+1) unnormalised scores
     */
    public static NDArray scores(NDArray memory, NDArray idx, NDArray anchor, double tau) {
        long b = idx.getShape().get(0);
        long k1 = idx.getShape().get(1);
        long n = memory.getShape().get(0);
        long d = memory.getShape().get(1);
        NDArray dot;
        if (n <= k1) {
            // a small training set (N <= K + 1): score every record once, (B, d) . (d, N), and pick each row's
            // K + 1; the same numbers as gathering B (K + 1) memory rows, at N / (K + 1) of the cost. A copy, since
            // the backward pass needs the memory as it was and the caller updates the memory in place
            dot = anchor.matMul(memory.duplicate().transpose()).gather(idx, 1); // (B, N) -> (B, K+1)
        } else {
            NDArray rows = memory.get(new NDIndex("{}", idx.reshape(-1))).reshape(b, k1, d); // (B, K+1, d)
            dot = rows.matMul(anchor.reshape(b, d, 1)).reshape(b, k1); // (B, K+1, d) . (B, d, 1)
        }
        return dot.div(Scalars.of((float) tau)).exp();
    }

    /**
     * The NCE loss of eq. 18 on normalised scores P (scores / Z).
     *
     * @param p     (B, K+1) P, the positive first
     * @param nData N, the size of the training set (the noise distribution is uniform over it)
     * @return scalar
     */
    public static NDArray nce(NDArray p, long nData) {
        long b = p.getShape().get(0);
        long k = p.getShape().get(1) - 1;
        float noise = (float) k / nData; // K * P_n
        NDArray positive = p.get(":, 0"); // (B,)
        NDArray negatives = p.get(":, 1:"); // (B, K)
        NDArray logD1 = positive.div(positive.add(noise + EPS)).log();
        NDArray logD0 = negatives.add(noise + EPS).pow(Scalars.of(-1f)).mul(Scalars.of(noise)).log();
        return logD1.sum().add(logD0.sum()).neg().div(Scalars.of((float) b));
    }
}
