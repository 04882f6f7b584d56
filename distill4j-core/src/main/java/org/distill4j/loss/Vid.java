package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Variational information distillation: Ahn, Hu, Damianou, Lawrence &amp; Dai, "Variational Information Distillation
 * for Knowledge Transfer" (CVPR 2019, arXiv:1904.05835), eq. 5-6 with a Gaussian of per-channel variance, as
 * RepDistiller's {@code VID.py} computes it: sigma_c^2 = log(1 + exp(alpha_c)) + eps, and
 * L = mean_{B,C,H,W} 1/2 * ((mu - t)^2 / sigma_c^2 + log sigma_c^2).
 */
public final class Vid {
    /** The variance floor of the reference. */
    public static final double EPS = 1e-5;

    private Vid() {}

    /**
     * @param mean     the regressor's output mu, (B, C, H, W)
     * @param target   the teacher's feature map, (B, C, H, W)
     * @param logScale alpha, (C,): the unconstrained variance parameter
     * @return scalar
     */
    public static NDArray loss(NDArray mean, NDArray target, NDArray logScale) {
        long c = logScale.getShape().get(0);
        NDArray variance = logScale.exp().add(1f).log().add((float) EPS).reshape(1, c, 1, 1); // softplus + eps
        NDArray nll = mean.sub(target).square().div(variance).add(variance.log()).mul(Scalars.of(0.5f));
        return nll.mean();
    }

    /** The alpha that gives variance {@code v}: log(exp(v - eps) - 1), the reference's initialisation (v = 5). */
    public static double logScaleFor(double variance) {
        return Math.log(Math.exp(variance - EPS) - 1);
    }
}
