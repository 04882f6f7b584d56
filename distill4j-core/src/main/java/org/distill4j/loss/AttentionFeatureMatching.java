package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Attention-based feature matching: Ji, Heo &amp; Park, "Show, Attend and Distill: Knowledge Distillation via
 * Attention-based Feature Matching" (AAAI 2021, arXiv:2102.02973), eq. 3-6, as its code
 * ({@code clovaai/attention-feature-distillation}, {@code distill/AFD.py}) computes it. Every teacher layer t attends
 * over every student layer s: logit[b, t, s] = (key_b,s,t . query_b,t + p_t . p_s) / sqrt(d), alpha = softmax over s;
 * the values are L2-normalised spatial attention maps (the student's pooled to the teacher layer's size), and
 * L = sum_t mean_b sum_s alpha_b,t,s * mean_hw (v_s - v_t)^2.
 */
public final class AttentionFeatureMatching {
    private AttentionFeatureMatching() {}

    /**
     * The attention of each teacher layer over the student layers.
     *
     * @param keys       (B, S, T, d) the student's bilinear keys, one per (student layer, teacher layer)
     * @param queries    (B, T, d) the teacher's queries
     * @param teacherPos (T, d) p_t, the teacher layers' positional embeddings
     * @param studentPos (S, d) p_s
     * @return (B, T, S), each row a distribution over the student layers
     */
    public static NDArray attention(NDArray keys, NDArray queries, NDArray teacherPos, NDArray studentPos) {
        long d = queries.getShape().get(2);
        // einsum('bstq,btq->bts'): (B, T, S, d) . (B, T, d, 1) -> (B, T, S)
        NDArray dot = keys.transpose(0, 2, 1, 3).matMul(queries.expandDims(3)).squeeze(3);
        NDArray positional = teacherPos.matMul(studentPos.transpose()); // (T, S)
        return dot.add(positional).div(Scalars.of((float) Math.sqrt(d))).softmax(2);
    }

    /**
     * @param attention     (B, T, S) from {@link #attention}
     * @param studentValues per teacher layer t: (B, S, H_t*W_t), the student layers' normalised maps at its size
     * @param teacherValues per teacher layer t: (B, H_t*W_t), its normalised map
     * @return the per-teacher-layer losses, in order (their sum is the loss)
     */
    public static NDArray[] losses(NDArray attention, List<NDArray> studentValues, List<NDArray> teacherValues) {
        NDArray[] out = new NDArray[teacherValues.size()];
        for (int t = 0; t < out.length; t++) {
            NDArray vt = teacherValues.get(t).expandDims(1); // (B, 1, HW)
            NDArray diff = studentValues.get(t).sub(vt).square().mean(new int[] {2}); // (B, S)
            NDArray weights = attention.get(":, " + t + ", :"); // (B, S)
            out[t] = diff.mul(weights).sum(new int[] {1}).mean();
        }
        return out;
    }

    /** A map sum_c A^2 (or mean: the normalisation removes the difference), flattened and L2-normalised. */
    public static NDArray value(NDArray map) {
        return map.reshape(map.getShape().get(0), -1).normalize(2, 1, 1e-12); // (B, H, W) -> (B, H*W)
    }
}
