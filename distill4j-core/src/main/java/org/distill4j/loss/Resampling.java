package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Interpolation matrices built on the host, so that a 2-D resize is two small matrix products. */
final class Resampling {
    private Resampling() {}

    /**
     * The (out x in) matrix of 1-D linear interpolation with half-pixel centres (align_corners = false), as
     * in PyTorch's upsample_bilinear2d: output i samples x = (i + 0.5) * in / out - 0.5, clamped at 0, and
     * mixes inputs floor(x) and floor(x) + 1 (clamped to in - 1) with weights 1 - frac(x) and frac(x).
     */
    static NDArray bilinear(NDManager manager, long in, long out) {
        int n = Math.toIntExact(in);
        int m = Math.toIntExact(out);
        float[] weights = new float[m * n]; // row-major (out, in)
        double scale = (double) n / m;
        for (int i = 0; i < m; i++) {
            double x = Math.max((i + 0.5) * scale - 0.5, 0);
            int lo = Math.min((int) Math.floor(x), n - 1);
            int hi = Math.min(lo + 1, n - 1);
            double frac = x - lo;
            weights[i * n + lo] += (float) (1 - frac);
            weights[i * n + hi] += (float) frac;
        }
        return manager.create(weights, new Shape(m, n));
    }
}
