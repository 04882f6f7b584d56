package org.distill4j.distill;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Turns Integrated Gradients attributions into the seed's causal mask: where the teacher's evidence for
 * the true class lies, as a spatial weight in [0, 1] for attention transfer.
 */
public final class CausalMask {

    private CausalMask() {}

    /**
     * (B, C, H, W) -&gt; (B, H, W) in [0, 1]. The choices, in order:
     *
     * <ol>
     *   <li>Sum the attributions over channels: a position's total contribution to the true-class logit.
     *   <li>Keep the positive part only: evidence FOR the true class, as Grad-CAM keeps its ReLU
     *       (Selvaraju et al. 2017, Eq. 2); positions that argue against it get weight 0.
     *   <li>Divide each sample by its own maximum, so the mask's scale does not depend on how confident
     *       the teacher is on that image, and the strongest position has weight 1.
     *   <li>A sample with no positive evidence (all sums &lt;= 0) gets a mask of ones: it falls back to
     *       plain attention transfer rather than being ignored.
     *   <li>If 0 &lt; topFraction &lt; 1, keep the n = ceil(topFraction * H * W) largest positions of each
     *       sample at their values and set the rest to 0. Positions tied with the n-th largest value are
     *       all kept (so an all-ones fallback mask stays all ones, and a sample with fewer than n positive
     *       positions keeps them all). topFraction 0 or 1 keeps all.
     * </ol>
     *
     * @param attributions (B, C, H, W), e.g. from {@link IntegratedGradients#attributions}
     * @param topFraction in [0, 1], the share of positions to keep; 0 or 1 keeps all
     * @return the mask (B, H, W), in the attributions' manager
     */
    public static NDArray fromAttributions(NDArray attributions, double topFraction) {
        Shape shape = attributions.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("attributions must be (B, C, H, W), got " + shape);
        }
        if (!(topFraction >= 0 && topFraction <= 1)) {
            throw new IllegalArgumentException("topFraction must be in [0, 1], got " + topFraction);
        }
        long batch = shape.get(0);
        long positions = shape.get(2) * shape.get(3);
        NDManager owner = attributions.getManager();
        try (NDManager scope = owner.newSubManager()) {
            attributions.tempAttach(scope); // intermediates are created in scope and freed with it
            // (B, C, H, W) -> (B, H*W), the positive part of the channel sums
            NDArray evidence = attributions.sum(new int[] {1}).maximum(Scalars.of(0f)).reshape(batch, positions);
            NDArray max = evidence.max(new int[] {1}, true); // (B, 1)
            NDArray hasEvidence = max.gt(0f).toType(evidence.getDataType(), false); // (B, 1), 1 or 0
            NDArray safeMax = max.add(hasEvidence.neg().add(1f)); // max, or 1 where max is 0
            // x * 1 + 0 = x and 0 * 0 + 1 = 1 exactly: no rounding from the blend
            NDArray mask = evidence.div(safeMax).mul(hasEvidence).add(hasEvidence.neg().add(1f));
            // - 1e-9: 0.1 * 30 is 3.0000000000000004 in doubles, and should keep 3 positions
            long keep = Math.max(1, (long) Math.ceil(topFraction * positions - 1e-9));
            if (topFraction > 0 && topFraction < 1 && keep < positions) {
                long nth = positions - keep; // ascending index of the keep-th largest value
                NDArray threshold = mask.sort(1).get(":, {}:{}", nth, nth + 1); // (B, 1)
                mask = mask.mul(mask.gte(threshold).toType(mask.getDataType(), false));
            }
            NDArray result = mask.reshape(batch, shape.get(2), shape.get(3));
            result.attach(owner);
            return result;
        }
    }
}
