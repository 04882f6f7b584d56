package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Deep mutual learning: Zhang, Xiang, Hospedales &amp; Lu 2018, "Deep Mutual Learning" (arXiv:1706.00384), eq. 10.
 * Each of K peers trained together from scratch learns from the labels and from the others' predictions:
 * L_i = CE(z_i, y) + 1/(K-1) * sum_{j != i} KL(p_j || p_i), with p = softmax(z) (temperature 1 in the paper).
 */
public final class MutualLearning {
    private MutualLearning() {}

    /**
     * The mimicry term of every peer: 1/(K-1) * sum_{j != i} T^2 KL(softmax(z_j/T) || softmax(z_i/T)), with the
     * others' logits detached, so that peer i's term moves peer i alone. Summing every peer's loss and taking one
     * backward pass is then each peer's own gradient step on its own loss, all from the same predictions (the
     * paper's Algorithm 1 updates the peers one after another and recomputes the others' predictions between them).
     *
     * @param logits K &gt;= 2 arrays (B, C), one per peer
     * @return K scalars, in the peers' order
     */
    public static List<NDArray> mimicry(List<NDArray> logits, double temperature) {
        if (logits.size() < 2) {
            throw new IllegalArgumentException("mutual learning needs at least 2 peers, got " + logits.size());
        }
        List<NDArray> targets = new ArrayList<>();
        for (NDArray z : logits) {
            targets.add(z.stopGradient());
        }
        List<NDArray> out = new ArrayList<>();
        float share = 1f / (logits.size() - 1);
        for (int i = 0; i < logits.size(); i++) {
            NDArray sum = null;
            for (int j = 0; j < logits.size(); j++) {
                if (j != i) {
                    NDArray kl = SoftTargets.loss(logits.get(i), targets.get(j), temperature);
                    sum = sum == null ? kl : sum.add(kl);
                }
            }
            out.add(sum.mul(Scalars.of(share)));
        }
        return out;
    }
}
