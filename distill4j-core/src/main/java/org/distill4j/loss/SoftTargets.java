package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Soft-target distillation: Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"
 * (arXiv:1503.02531), section 2.
 */
public final class SoftTargets {
    private SoftTargets() {}

    /**
     * p = softmax(z / T) along the class axis; T &gt; 1 softens the distribution (Hinton eq. 1).
     *
     * @param logits (B, K)
     * @return (B, K), each row sums to 1
     */
    public static NDArray probabilities(NDArray logits, double temperature) {
        return logits.div(Scalars.of((float) temperature)).softmax(1);
    }

    /**
     * L = T^2 / B * sum_i KL(softmax(t_i/T) || softmax(s_i/T))
     *   = T^2 / B * sum_i sum_k p_ik (log p_ik - log q_ik).
     *
     * <p>The T^2 factor keeps the gradient's size independent of T (Hinton section 2.1): d L / d s =
     * (softmax(s/T) - softmax(t/T)) * T / B. Both distributions are taken as log-softmax, so no log(0)
     * appears. Gradients flow into whatever requires them; callers pass a frozen teacher.
     *
     * @param studentLogits (B, K)
     * @param teacherLogits (B, K)
     * @return scalar
     */
    public static NDArray loss(NDArray studentLogits, NDArray teacherLogits, double temperature) {
        NDArray logQ = studentLogits.div(Scalars.of((float) temperature)).logSoftmax(1); // (B, K)
        NDArray logP = teacherLogits.div(Scalars.of((float) temperature)).logSoftmax(1); // (B, K)
        NDArray perSample = logP.exp().mul(logP.sub(logQ)).sum(new int[] {1}); // (B, K) -> (B,)
        // float scalars: a float64 Number times a 0-d float32 array would promote the result to float64
        return perSample.mean().mul(Scalars.of((float) (temperature * temperature)));
    }

    /**
     * L_KD = (1 - lambda) * CE(s, y) + lambda * T^2 * KL(softmax(t/T) || softmax(s/T)) (Hinton section 2).
     *
     * @param studentLogits (B, K)
     * @param teacherLogits (B, K)
     * @param labels (B,) integer classes
     * @param lambda weight of the soft term, in [0, 1]
     * @return scalar
     */
    public static NDArray kd(
            NDArray studentLogits,
            NDArray teacherLogits,
            NDArray labels,
            double temperature,
            double lambda) {
        NDArray hard = CrossEntropy.loss(studentLogits, labels);
        NDArray soft = loss(studentLogits, teacherLogits, temperature);
        return hard.mul(Scalars.of((float) (1 - lambda))).add(soft.mul(Scalars.of((float) lambda)));
    }
}
