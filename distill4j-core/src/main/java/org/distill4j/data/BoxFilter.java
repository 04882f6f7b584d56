package org.distill4j.data;

/**
 * Box-filter resampling along one axis, PIL's {@code Image.BOX} (area averaging): with {@code s = from / to},
 * output pixel i covers the source interval {@code [i*s, (i+1)*s)} and is the mean of the source pixels under it,
 * each weighted by how much of it lies inside. Shrinking, every source pixel counts once, so nothing aliases the way
 * point sampling does; enlarging, it is nearest-neighbour with a blend at the seams. Applied once across and once
 * down, it resizes an image; a region of constant colour that covers whole output pixels keeps its colour exactly.
 */
final class BoxFilter {
    private final int[] first;        // (to,) first source index under output i
    private final double[][] weights; // (to, taps_i) weights of the source pixels from first[i], summing to 1

    BoxFilter(int from, int to) {
        if (from <= 0 || to <= 0) {
            throw new IllegalArgumentException("box filter needs positive sizes, got " + from + " -> " + to);
        }
        first = new int[to];
        weights = new double[to][];
        for (int i = 0; i < to; i++) {
            // i*from/to as one correctly rounded division, so interval ends that are whole numbers are exact
            double lo = (double) ((long) i * from) / to;
            double hi = (double) ((long) (i + 1) * from) / to;
            int start = (int) Math.floor(lo);
            int end = Math.min(from, (int) Math.ceil(hi)); // exclusive
            double[] w = new double[end - start];
            double sum = 0;
            for (int j = start; j < end; j++) {
                w[j - start] = Math.min(hi, j + 1) - Math.max(lo, j);
                sum += w[j - start];
            }
            for (int k = 0; k < w.length; k++) {
                w[k] /= sum;
            }
            first[i] = start;
            weights[i] = w;
        }
    }

    /**
     * Resamples one line: source values at {@code src[srcOffset + j*srcStride]} for j in 0..from-1 go to
     * {@code dst[dstOffset + i*dstStride]} for i in 0..to-1.
     */
    void apply(double[] src, int srcOffset, int srcStride, double[] dst, int dstOffset, int dstStride) {
        for (int i = 0; i < first.length; i++) {
            double[] w = weights[i];
            int at = srcOffset + first[i] * srcStride;
            double v = 0;
            for (int k = 0; k < w.length; k++, at += srcStride) {
                v += w[k] * src[at];
            }
            dst[dstOffset + i * dstStride] = v;
        }
    }
}
