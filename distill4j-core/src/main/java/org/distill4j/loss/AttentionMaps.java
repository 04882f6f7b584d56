package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Activation-based spatial attention with p = 2: Zagoruyko &amp; Komodakis 2017, "Paying More Attention to
 * Attention" (ICLR, arXiv:1612.03928), section 3.1.
 */
public final class AttentionMaps {
    private AttentionMaps() {}

    /**
     * Q = F_sum^2(A) = sum_c A_c^2 (the paper's p = 2 choice, section 3.1).
     *
     * @param features (B, C, H, W)
     * @return (B, H, W)
     */
    public static NDArray spatial(NDArray features) {
        requireRank(features, 4, "features");
        return features.square().sum(new int[] {1}); // (B, C, H, W) -> (B, H, W)
    }

    /**
     * Resizes maps to (height, width). Identity (the same array) when the size already matches.
     *
     * <ul>
     *   <li>H and W integer multiples of height and width: adaptive average pooling, i.e. the mean of each
     *       (H/h x W/w) block, done as a reshape and a mean (the same numbers as libtorch's
     *       {@code adaptive_avg_pool2d} for integer ratios).
     *   <li>Otherwise: bilinear interpolation with half-pixel centres, PyTorch's
     *       {@code F.interpolate(mode="bilinear", align_corners=False, antialias=False)}, done as two matrix
     *       products R_h . map . R_w^T with interpolation matrices built on the host ({@link Resampling}).
     *       Not DJL's {@code interpolation}: on the PyTorch engine it always passes align_corners=false
     *       and antialias=true, which on a downsample (our case) is a wider triangle filter, not bilinear.
     * </ul>
     *
     * @param maps (B, H, W)
     * @return (B, height, width)
     */
    public static NDArray resize(NDArray maps, long height, long width) {
        requireRank(maps, 3, "maps");
        long batch = maps.getShape().get(0);
        long h = maps.getShape().get(1);
        long w = maps.getShape().get(2);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("resize to " + height + "x" + width + ": sizes must be >= 1");
        }
        if (h == height && w == width) {
            return maps;
        }
        if (h % height == 0 && w % width == 0) {
            // (B, H, W) -> (B, h, H/h, w, W/w) -> (B, h, w)
            Shape blocks = new Shape(batch, height, h / height, width, w / width);
            // one axis at a time: the PyTorch engine's mean takes a single axis
            return maps.reshape(blocks).mean(new int[] {4}).mean(new int[] {2});
        }
        NDArray rows = Resampling.bilinear(maps.getManager(), h, height).toType(maps.getDataType(), false);
        NDArray cols = Resampling.bilinear(maps.getManager(), w, width).toType(maps.getDataType(), false);
        rows = rows.toDevice(maps.getDevice(), false); // (height, H)
        cols = cols.toDevice(maps.getDevice(), false); // (width, W)
        // (height, H) . (B, H, W) . (W, width) -> (B, height, width); matmul broadcasts over B
        return rows.matMul(maps).matMul(cols.transpose());
    }

    /**
     * q / max(||q||_2, 1e-12) per sample, q the flattened map (the paper's Q / ||Q||_2, eq. 2).
     *
     * @param maps (B, H, W)
     * @return (B, H*W), each non-zero row of unit L2 norm
     */
    public static NDArray normalized(NDArray maps) {
        requireRank(maps, 3, "maps");
        NDArray flat = maps.reshape(maps.getShape().get(0), -1); // (B, H, W) -> (B, H*W)
        return flat.normalize(2, 1, 1e-12);
    }

    static void requireRank(NDArray array, int rank, String name) {
        if (array.getShape().dimension() != rank) {
            throw new IllegalArgumentException(
                    name + " must have " + rank + " dimensions, got shape " + array.getShape());
        }
    }
}
