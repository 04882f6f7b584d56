package org.distill4j.loss;

import ai.djl.ndarray.NDArray;

/**
 * Relational knowledge distillation: Park, Kim, Lu &amp; Cho, "Relational Knowledge Distillation" (CVPR 2019,
 * arXiv:1904.05068), eq. 4-7, as RepDistiller's {@code RKD.py} computes it: a distance term on pairwise distances
 * divided by their mean, and an angle term on the cosines of every triplet's angle, each a smooth-L1 (Huber, beta 1)
 * between student and teacher; L = wDistance * L_d + wAngle * L_a.
 */
public final class RelationalKd {
    private RelationalKd() {}

    /**
     * @param student (B, d) embeddings (the pooled vector)
     * @param teacher (B, d') embeddings
     * @return scalar
     */
    public static NDArray loss(NDArray student, NDArray teacher, double wDistance, double wAngle) {
        NDArray s = student.reshape(student.getShape().get(0), -1);
        NDArray t = teacher.reshape(teacher.getShape().get(0), -1);
        NDArray distance = smoothL1(normalisedDistances(s), normalisedDistances(t));
        NDArray angle = smoothL1(angles(s), angles(t));
        return distance.mul(Scalars.of((float) wDistance)).add(angle.mul(Scalars.of((float) wAngle)));
    }

    /** Pairwise Euclidean distances (clamped at 1e-12 before the root, diagonal 0) over their mean off zero, (B, B). */
    static NDArray normalisedDistances(NDArray e) {
        long b = e.getShape().get(0);
        NDArray square = e.square().sum(new int[] {1}); // (B,)
        NDArray prod = e.matMul(e.transpose()); // (B, B)
        NDArray d = square.reshape(b, 1).add(square.reshape(1, b)).sub(prod.mul(Scalars.of(2f))).maximum(Scalars.of(1e-12f)).sqrt();
        NDArray offDiagonal = e.getManager().eye((int) b).neg().add(1f).toType(d.getDataType(), false);
        d = d.mul(offDiagonal);
        NDArray positive = d.gt(0f).toType(d.getDataType(), false);
        return d.div(d.sum().div(positive.sum()));
    }

    /** cos of the angle at j between i and k, for every (i, j, k): (B, d) -> (B^3,). */
    static NDArray angles(NDArray e) {
        long b = e.getShape().get(0);
        // [i, j] = e_j - e_i, normalised along the feature axis: (B, B, d)
        NDArray diff = e.expandDims(0).sub(e.expandDims(1)).normalize(2, 2, 1e-12);
        return diff.matMul(diff.transpose(0, 2, 1)).reshape(b * b * b); // (B, B, B) flattened
    }

    /** Mean Huber loss with beta 1: 0.5 x^2 where |x| < 1, |x| - 0.5 elsewhere. */
    static NDArray smoothL1(NDArray a, NDArray b) {
        NDArray x = a.sub(b).abs();
        NDArray small = x.lt(1f).toType(x.getDataType(), false);
        NDArray quadratic = x.square().mul(Scalars.of(0.5f));
        NDArray linear = x.sub(0.5f);
        return quadratic.mul(small).add(linear.mul(small.neg().add(1f))).mean();
    }
}
