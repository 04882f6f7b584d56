package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/** Hard-label loss: cross-entropy of the logits against the true classes. */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * L = -1/B * sum_i log softmax(z_i)[y_i].
     *
     * @param logits (B, K) raw scores
     * @param labels (B,) integer classes in [0, K)
     * @return scalar mean loss
     */
    public static NDArray loss(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray logProbs = logits.logSoftmax(1); // (B, K)
        NDArray oneHot = labels.oneHot((int) classes).toType(logProbs.getDataType(), false); // (B, K)
        return logProbs.mul(oneHot).sum(new int[] {1}).mean().neg();
    }

    /** Number of rows whose arg-max equals the label. */
    public static long correct(NDArray logits, NDArray labels) {
        return logits.argMax(1).toType(labels.getDataType(), false).eq(labels).sum().getLong();
    }
}
