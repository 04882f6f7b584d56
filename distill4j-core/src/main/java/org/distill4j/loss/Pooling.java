package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Average pooling of feature maps, as the reference implementations use it to compare maps of different sizes:
 * PyTorch's {@code F.adaptive_avg_pool2d}, and global average pooling.
 */
public final class Pooling {
    private Pooling() {}

    /**
     * Adaptive average pooling to {@code height x width}: output cell (i, j) is the mean of input rows
     * floor(i*H/h) .. ceil((i+1)*H/h) - 1 and the same columns, as in PyTorch's {@code adaptive_avg_pool2d}.
     * Integer ratios are a reshape and a mean; other ratios two matrix products with averaging matrices (a larger
     * output repeats cells, as PyTorch's does).
     * Identity (the same array) when the size already matches.
     *
     * @param features (B, C, H, W)
     * @return (B, C, height, width)
     */
    public static NDArray adaptiveAverage(NDArray features, long height, long width) {
        AttentionMaps.requireRank(features, 4, "features");
        Shape s = features.getShape();
        long h = s.get(2);
        long w = s.get(3);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("pool " + s + " to " + height + "x" + width + ": sizes must be >= 1");
        }
        if (h == height && w == width) {
            return features;
        }
        if (h >= height && w >= width && h % height == 0 && w % width == 0) {
            // (B, C, H, W) -> (B, C, h, H/h, w, W/w) -> (B, C, h, w); one axis at a time (the engine's mean takes one)
            return features.reshape(s.get(0), s.get(1), height, h / height, width, w / width)
                    .mean(new int[] {5}).mean(new int[] {3});
        }
        NDArray rows = averaging(features.getManager(), h, height).toDevice(features.getDevice(), false); // (h, H)
        NDArray cols = averaging(features.getManager(), w, width).toDevice(features.getDevice(), false); // (w, W)
        // (h, H) . (B, C, H, W) . (W, w) -> (B, C, h, w); matMul broadcasts over B and C
        return rows.matMul(features).matMul(cols.transpose());
    }

    /**
     * Global average pooling.
     *
     * @param features (B, C, H, W)
     * @return (B, C)
     */
    public static NDArray global(NDArray features) {
        AttentionMaps.requireRank(features, 4, "features");
        return features.mean(new int[] {3}).mean(new int[] {2});
    }

    /**
     * Pools the larger of two feature maps to the other's size (the reference implementations' rule before
     * comparing two maps position by position); returns both.
     *
     * @return {@code {student, teacher}} at the smaller height and width
     */
    public static NDArray[] toCommonSize(NDArray student, NDArray teacher) {
        long h = Math.min(student.getShape().get(2), teacher.getShape().get(2));
        long w = Math.min(student.getShape().get(3), teacher.getShape().get(3));
        return new NDArray[] {adaptiveAverage(student, h, w), adaptiveAverage(teacher, h, w)};
    }

    /** The (out x in) matrix whose row i averages inputs floor(i*in/out) .. ceil((i+1)*in/out) - 1. */
    static NDArray averaging(NDManager manager, long in, long out) {
        int n = Math.toIntExact(in);
        int m = Math.toIntExact(out);
        float[] weights = new float[m * n];
        for (int i = 0; i < m; i++) {
            int start = (int) Math.floor((double) i * n / m);
            int end = (int) Math.ceil((double) (i + 1) * n / m);
            for (int j = start; j < end; j++) {
                weights[i * n + j] = 1f / (end - start);
            }
        }
        return manager.create(weights, new Shape(m, n));
    }
}
