package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * The channel part of hybrid attention transfer: Qu et al., "H-AT: Hybrid Attention Transfer for Knowledge
 * Distillation" (PRCV 2020), as its code ({@code somone23412/H-AT cifar_train.py}, {@code sim_loss}) computes it:
 * for each sample, the squared cosine distance between the student's and the teacher's channel embeddings
 * (L2-normalised global averages of ReLU(BN(stage output))), L = mean_b (1 - cos(e_s,b, e_t,b))^2. The spatial
 * part is attention transfer ({@link AttentionTransfer}).
 */
public final class HybridAttention {
    private HybridAttention() {}

    /**
     * @param student (B, C) the student's channel embeddings
     * @param teacher (B, C) the teacher's, on the same channels (selected when the widths differ)
     * @return scalar
     */
    public static NDArray channelLoss(NDArray student, NDArray teacher) {
        NDArray dot = student.mul(teacher).sum(new int[] {1});
        NDArray norms = student.square().sum(new int[] {1}).mul(teacher.square().sum(new int[] {1})).sqrt();
        return dot.div(norms).neg().add(1f).square().mean();
    }

    /** L2-normalises each row (eps 1e-12, as F.normalize): the reference's {@code to_embedding}. */
    public static NDArray embedding(NDArray pooled) {
        return pooled.normalize(2, 1, 1e-12);
    }
}
