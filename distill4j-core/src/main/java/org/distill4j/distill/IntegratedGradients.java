package org.distill4j.distill;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Integrated Gradients (Sundararajan, Taly &amp; Yan, "Axiomatic Attribution for Deep Networks", ICML 2017,
 * Eq. 3 with the right Riemann sum) on an intermediate feature map:
 *
 * <pre>
 *   attr = (f - f0) * (1/m) * sum_{k=1..m} dF_y/df evaluated at f0 + (k/m)(f - f0),   baseline f0 = 0
 * </pre>
 *
 * where F_y is the logit of class y computed by {@code tail} (e.g. a frozen teacher's layer4, pooling and
 * classifier). Completeness (the paper's Prop. 1): the attributions of a sample sum to F_y(f) - F_y(0), up
 * to the Riemann-sum error, which shrinks as m grows.
 *
 * <p>The m interpolated points of every sample are run as extra batch rows, sample-major: row {@code b*m +
 * k-1} holds sample b at alpha = k/m. A pass covers whole samples (floor(maxRows/m) of them) when m &lt;=
 * maxRows, else one sample and up to maxRows of its steps; so B*m &lt;= maxRows is one pass. Rows must not
 * interact inside the tail: run it in inference mode (BatchNorm with running statistics).
 */
public final class IntegratedGradients {

    private IntegratedGradients() {}

    /**
     * Computes Integrated Gradients attributions of the labels' logits with respect to the features.
     *
     * <p>Opens its own {@link GradientCollector}, so it must not be called while another is open (DJL
     * then throws {@link IllegalStateException}). Only one collector may be open process-wide. Every
     * intermediate (interpolated batches, logits, gradients) lives in a sub-manager closed on return.
     * A tail with trainable parameters would accumulate gradients into them: freeze it first.
     *
     * @param tail maps features (N, C, H, W) to logits (N, K); its parameters should be frozen (it is the
     *     caller's teacher); it must be deterministic in inference mode
     * @param features f, (B, C, H, W) (not modified); any (B, ...) shape the tail accepts works
     * @param labels y, (B,) int64 classes whose logit is explained
     * @param steps m &gt;= 1
     * @param maxRows the most interpolated rows per forward/backward pass, to bound memory
     * @return attributions (B, C, H, W), attached to features' manager, no gradient attached
     */
    public static NDArray attributions(
            Function<NDArray, NDArray> tail, NDArray features, NDArray labels, int steps, int maxRows) {
        check(features, labels, steps, maxRows);
        long batch = features.getShape().get(0);
        NDManager owner = features.getManager();
        try (NDManager sub = owner.newSubManager()) {
            NDArray f = features.stopGradient(); // a new handle on the same storage, so no graph leaks out
            f.attach(sub);
            NDList gradientSums = new NDList(); // per block of samples: (nb, C, H, W)
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                int perPass = Math.max(1, maxRows / steps); // whole samples per pass
                int stepsPerPass = Math.min(steps, maxRows); // < steps only when one sample needs passes
                for (long b0 = 0; b0 < batch; b0 += perPass) {
                    NDIndex rows = new NDIndex("{}:{}", b0, Math.min(batch, b0 + perPass));
                    NDArray sum = null;
                    for (int k0 = 0; k0 < steps; k0 += stepsPerPass) {
                        int k1 = Math.min(steps, k0 + stepsPerPass);
                        NDArray part = gradientSum(collector, tail, f, labels, rows, k0, k1, steps);
                        sum = sum == null ? part : sum.addi(part);
                    }
                    gradientSums.add(sum);
                }
            }
            NDArray meanGradient = NDArrays.concat(gradientSums, 0).divi(steps); // (B, C, H, W)
            NDArray attributions = f.mul(meanGradient); // (f - 0) * mean gradient
            attributions.attach(owner);
            return attributions;
        }
    }

    /**
     * One forward/backward pass over the samples f[rows] at alphas (k0+1)/m .. k1/m.
     *
     * @return sum over those steps of dF_y/df at each point, (nb, C, H, W), in f's manager
     */
    private static NDArray gradientSum(
            GradientCollector collector,
            Function<NDArray, NDArray> tail,
            NDArray f,
            NDArray labels,
            NDIndex rows,
            int k0,
            int k1,
            int steps) {
        NDManager outer = f.getManager();
        try (NDManager pass = outer.newSubManager()) {
            NDArray fb = f.get(pass, rows); // (nb, C, H, W)
            NDArray yb = labels.get(pass, rows).toType(DataType.INT64, false); // (nb,)
            long nb = fb.getShape().get(0);
            int n = k1 - k0;
            Shape itemShape = fb.getShape().slice(1); // (C, H, W)
            NDArray x = interpolate(fb, k0, k1, steps).reshape(new Shape(nb * n).addAll(itemShape));
            x.setRequiresGradient(true);
            NDArray logits = tail.apply(x); // (nb*n, K), x being (nb*n, C, H, W)
            long classes = logits.getShape().get(1);
            NDArray oneHot = yb.oneHot((int) classes, logits.getDataType()).expandDims(1); // (nb, 1, K)
            NDArray picked = logits.reshape(nb, n, classes).mul(oneHot).sum(); // sum of F_y over rows, ()
            collector.backward(picked);
            // getGradient wraps x.grad in a new handle owned by x's manager (pass), so it is freed below; it
            // returns zeros if the logits did not depend on x
            NDArray grad = x.getGradient().reshape(new Shape(nb, n).addAll(itemShape)); // (nb, n, C, H, W)
            NDArray sum = grad.sum(new int[] {1}); // (nb, C, H, W)
            sum.attach(outer);
            return sum;
        }
    }

    /** (nb, C, H, W) -&gt; (nb, n, C, H, W): sample b at alphas (k0+1)/m .. k1/m (baseline 0). */
    private static NDArray interpolate(NDArray fb, int k0, int k1, int steps) {
        int n = k1 - k0;
        float[] alpha = new float[n];
        for (int i = 0; i < n; i++) {
            alpha[i] = (float) ((k0 + i + 1) / (double) steps);
        }
        long[] alphaShape = new long[fb.getShape().dimension() + 1]; // (1, n, 1, 1, 1)
        Arrays.fill(alphaShape, 1);
        alphaShape[1] = n;
        NDArray alphas = fb.getManager().create(alpha).toType(fb.getDataType(), false);
        return fb.expandDims(1).mul(alphas.reshape(new Shape(alphaShape)));
    }

    private static void check(NDArray features, NDArray labels, int steps, int maxRows) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        Shape shape = features.getShape();
        if (shape.dimension() < 2) {
            throw new IllegalArgumentException("features must be (B, C, H, W), got " + shape);
        }
        if (!labels.getShape().equals(new Shape(shape.get(0)))) {
            throw new IllegalArgumentException(
                    "labels must be (" + shape.get(0) + ",) to match features " + shape + ", got "
                            + labels.getShape());
        }
    }
}
