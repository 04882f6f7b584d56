package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * The position-based and channel-based attention of HMAT (Gou, Sun, Yu, Wan &amp; Tao, "Hierarchical Multi-Attention
 * Transfer for Knowledge Distillation", ACM TOMM 2022), reconstructed: the paper's text is paywalled and no code was
 * published, so these follow the parameter-free attention of DANet (Fu et al., "Dual Attention Network for Scene
 * Segmentation", CVPR 2019), computed from feature maps and compared as distributions.
 * <ul>
 *   <li>position attention: each position's channel vector L2-normalised, A = softmax_j(f_i . f_j / tau), an HW x HW
 *       row-stochastic matrix that does not depend on the channel count;</li>
 *   <li>channel attention: each channel's map L2-normalised over positions, A = softmax_j(f_i . f_j / tau), C x C
 *       (the student's channels are first mapped to the teacher's by a learnt 1x1 convolution);</li>
 *   <li>the loss of either is the mean over the batch and rows of KL(A_t || A_s).</li>
 * </ul>
 */
public final class MultiAttention {
    private MultiAttention() {}

    /**
     * Log of the position attention.
     *
     * @param features (B, C, H, W)
     * @return (B, HW, HW), rows log-distributions
     */
    public static NDArray logPosition(NDArray features, double tau) {
        NDArray f = features.reshape(features.getShape().get(0), features.getShape().get(1), -1)
                .normalize(2, 1, 1e-12); // (B, C, HW), unit channel vector per position
        return f.transpose(0, 2, 1).matMul(f).div(Scalars.of((float) tau)).logSoftmax(2); // (B, HW, C) . (B, C, HW)
    }

    /**
     * Log of the channel attention.
     *
     * @param features (B, C, H, W)
     * @return (B, C, C), rows log-distributions
     */
    public static NDArray logChannel(NDArray features, double tau) {
        NDArray f = features.reshape(features.getShape().get(0), features.getShape().get(1), -1)
                .normalize(2, 2, 1e-12); // (B, C, HW), unit map per channel
        return f.matMul(f.transpose(0, 2, 1)).div(Scalars.of((float) tau)).logSoftmax(2); // (B, C, C)
    }

    /**
     * Mean over the batch and rows of KL(A_t || A_s).
     *
     * @param logStudent (B, R, R) log-distributions per row
     * @param logTeacher (B, R, R)
     * @return scalar
     */
    public static NDArray divergence(NDArray logStudent, NDArray logTeacher) {
        if (!logStudent.getShape().equals(logTeacher.getShape())) {
            throw new IllegalArgumentException("attention shapes differ: student " + logStudent.getShape()
                    + ", teacher " + logTeacher.getShape());
        }
        NDArray kl = logTeacher.exp().mul(logTeacher.sub(logStudent)).sum(new int[] {2}); // (B, R)
        return kl.mean();
    }
}
