package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * FitNets' hint loss: Romero, Ballas, Kahou, Chassang, Gatta &amp; Bengio, "FitNets: Hints for Thin Deep Nets" (ICLR
 * 2015, arXiv:1412.6550), eq. 3 as RepDistiller's {@code FitNet.py} computes it: the mean squared difference between
 * the regressed student feature map and the teacher's hint, L = mean (r(F_s) - F_t)^2.
 */
public final class Hint {
    private Hint() {}

    /**
     * @param regressed the student's feature map through the regressor, (B, C_t, H_t, W_t)
     * @param teacher   the teacher's feature map, (B, C_t, H_t, W_t)
     * @return scalar
     */
    public static NDArray loss(NDArray regressed, NDArray teacher) {
        if (!regressed.getShape().equals(teacher.getShape())) {
            throw new IllegalArgumentException("regressed student " + regressed.getShape() + " and teacher "
                    + teacher.getShape() + " must have one shape");
        }
        return regressed.sub(teacher).square().mean();
    }
}
