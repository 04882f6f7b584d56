package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Attention transfer: Zagoruyko &amp; Komodakis 2017, "Paying More Attention to Attention"
 * (arXiv:1612.03928), eq. 2 with p = 2, taking the mean of the squared difference rather than its norm (as
 * their reference code does), optionally weighted position-wise by a mask (the seed's causal mask from
 * Integrated Gradients).
 *
 * <p>L = 1 / (B * h * w) * sum_b sum_j m_bj * (q_s,bj - q_t,bj)^2, with q = normalized(spatial(pool(F))), (h, w) the
 * smaller of the two spatial sizes along each axis and pool the adaptive average pooling of the larger feature map
 * to it (RepDistiller's and mdistiller's {@code AT.py}: the feature map is pooled before its attention map is taken,
 * which differs from resizing the attention map by up to 15% on a 16x16 to 8x8 pair).
 */
public final class AttentionTransfer {
    private AttentionTransfer() {}

    /**
     * @param studentFeatures (B, Cs, Hs, Ws)
     * @param teacherFeatures (B, Ct, Ht, Wt); channels and sizes may differ from the student's
     * @param mask (B, Hm, Wm) with values in [0, 1], or null for no mask
     * @return scalar
     */
    public static NDArray loss(NDArray studentFeatures, NDArray teacherFeatures, NDArray mask) {
        NDArray[] common = Pooling.toCommonSize(studentFeatures, teacherFeatures); // (B, C, h, w) each
        return lossOnMaps(AttentionMaps.spatial(common[0]), AttentionMaps.spatial(common[1]), mask);
    }

    /**
     * The same on already computed spatial maps; maps of different sizes are resized (pooled or bilinear) to the
     * smaller, which is what the seed's alignment does, not what the reference AT does (see {@link #loss}).
     *
     * @param studentMaps (B, Hs, Ws)
     * @param teacherMaps (B, Ht, Wt)
     * @param mask (B, Hm, Wm) with values in [0, 1], or null for no mask
     * @return scalar
     */
    public static NDArray lossOnMaps(NDArray studentMaps, NDArray teacherMaps, NDArray mask) {
        AttentionMaps.requireRank(studentMaps, 3, "studentMaps");
        AttentionMaps.requireRank(teacherMaps, 3, "teacherMaps");
        long batch = studentMaps.getShape().get(0);
        if (teacherMaps.getShape().get(0) != batch) {
            throw new IllegalArgumentException("batch sizes differ: student " + studentMaps.getShape()
                    + ", teacher " + teacherMaps.getShape());
        }
        // Downsample the larger map rather than invent detail in the smaller one.
        long h = Math.min(studentMaps.getShape().get(1), teacherMaps.getShape().get(1));
        long w = Math.min(studentMaps.getShape().get(2), teacherMaps.getShape().get(2));
        NDArray qs = AttentionMaps.normalized(AttentionMaps.resize(studentMaps, h, w)); // (B, h*w)
        NDArray qt = AttentionMaps.normalized(AttentionMaps.resize(teacherMaps, h, w)); // (B, h*w)
        NDArray squared = qs.sub(qt).square(); // (B, h*w)
        if (mask != null) {
            AttentionMaps.requireRank(mask, 3, "mask");
            NDArray m = AttentionMaps.resize(mask.toType(squared.getDataType(), false), h, w);
            squared = squared.mul(m.reshape(batch, h * w)); // (B, h, w) -> (B, h*w)
        }
        return squared.mean();
    }
}
