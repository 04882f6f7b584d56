package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Decoupled knowledge distillation: Zhao, Cui, Song, Qiu &amp; Liang, "Decoupled Knowledge Distillation" (CVPR 2022,
 * arXiv:2203.08679), eq. 7, as mdistiller's {@code DKD.py} computes it.
 *
 * <p>With p = softmax(z / T): TCKD = T^2 / B * sum_i KL([p_t,gt, 1 - p_t,gt] || [p_s,gt, 1 - p_s,gt]) (the binary
 * target-versus-rest split), NCKD = T^2 / B * sum_i KL(p^_t || p^_s) with p^ = softmax(z / T - 1000 * onehot(gt)),
 * the distribution over the non-target classes; L = alpha * TCKD + beta * NCKD. The binary probabilities are
 * logged directly (not through a log-softmax), as the reference does, but floored at the smallest normal float
 * first: a confident network's "rest" mass underflows to exactly 0 in float32 (logit gaps above ~88 T), and the
 * reference's log(0) then makes the loss NaN (0 * -inf). The floor changes nothing for probabilities above 1.2e-38.
 */
public final class DecoupledKd {
    private DecoupledKd() {}

    /**
     * @param student (B, K) logits
     * @param teacher (B, K) logits
     * @param labels  (B,) classes
     * @return scalar alpha * TCKD + beta * NCKD
     */
    public static NDArray loss(NDArray student, NDArray teacher, NDArray labels, double alpha, double beta,
            double temperature) {
        long classes = student.getShape().get(1);
        NDArray gt = labels.oneHot((int) classes).toType(student.getDataType(), false); // (B, K)
        NDArray other = gt.neg().add(1f); // (B, K)
        float t = (float) temperature;
        NDArray ps = student.div(Scalars.of(t)).softmax(1);
        NDArray pt = teacher.div(Scalars.of(t)).softmax(1);
        NDArray bs = binary(ps, gt, other); // (B, 2)
        NDArray bt = binary(pt, gt, other); // (B, 2)
        NDArray tckd = klSum(bt, floorLog(bt), floorLog(bs)); // sum over the batch
        NDArray shift = gt.mul(Scalars.of(1000f));
        NDArray logQt = teacher.div(Scalars.of(t)).sub(shift).logSoftmax(1);
        NDArray logQs = student.div(Scalars.of(t)).sub(shift).logSoftmax(1);
        NDArray nckd = klSum(logQt.exp(), logQt, logQs);
        float scale = (float) (temperature * temperature / student.getShape().get(0));
        return tckd.mul(Scalars.of((float) alpha)).add(nckd.mul(Scalars.of((float) beta))).mul(Scalars.of(scale));
    }

    /** log(max(p, smallest normal float)): finite where p underflowed to 0. */
    private static NDArray floorLog(NDArray p) {
        return p.maximum(Scalars.of(Float.MIN_NORMAL)).log();
    }

    /** [p_gt, sum of the others], (B, K) -> (B, 2). */
    private static NDArray binary(NDArray p, NDArray gt, NDArray other) {
        NDArray target = p.mul(gt).sum(new int[] {1}, true); // (B, 1)
        NDArray rest = p.mul(other).sum(new int[] {1}, true); // (B, 1)
        return target.concat(rest, 1);
    }

    /**
     * sum_ik p_ik (log p_ik - log q_ik), PyTorch's kl_div with size_average=False. Both logs are finite (floored or
     * log-softmax), so a p_ik of 0 contributes 0, as 0 log 0 should.
     */
    private static NDArray klSum(NDArray p, NDArray logP, NDArray logQ) {
        return p.mul(logP.sub(logQ)).sum();
    }
}
