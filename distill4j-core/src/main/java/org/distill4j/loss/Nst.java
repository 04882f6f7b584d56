package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Neuron selectivity transfer: Huang &amp; Wang, "Like What You Like: Knowledge Distill via Neuron Selectivity
 * Transfer" (arXiv:1707.01219), the squared MMD with the polynomial kernel k(a, b) = (a^T b)^2 of eq. 6, as
 * RepDistiller's {@code NST.py} computes it. Each channel's map is one sample, L2-normalised over positions;
 * L = mean k(t, t) + mean k(s, s) - 2 mean k(s, t). The larger feature map is pooled to the smaller's size first;
 * channel counts may differ.
 */
public final class Nst {
    private Nst() {}

    /**
     * @param student (B, C_s, H, W)
     * @param teacher (B, C_t, H', W')
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher) {
        NDArray[] common = Pooling.toCommonSize(student, teacher);
        NDArray s = channels(common[0]);
        NDArray t = channels(common[1]);
        return kernelMean(t, t).add(kernelMean(s, s)).sub(kernelMean(s, t).mul(Scalars.of(2f)));
    }

    /** (B, C, H, W) -> (B, C, H*W), each channel L2-normalised over positions. */
    static NDArray channels(NDArray f) {
        return f.reshape(f.getShape().get(0), f.getShape().get(1), -1).normalize(2, 2, 1e-12);
    }

    /** mean over (B, C_b, C_a) of (a_i . b_j)^2. */
    static NDArray kernelMean(NDArray a, NDArray b) {
        return b.matMul(a.transpose(0, 2, 1)).square().mean(); // (B, C_b, HW) . (B, HW, C_a) -> (B, C_b, C_a)
    }
}
