package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What the frozen teacher contributes to one batch, computed before the student's step: its logits, the
 * spatial attention maps of the stages a method needs, and (for causal methods) the IG mask. None of these
 * carry a gradient.
 *
 * @param logits (B, K)
 * @param maps   stage (1..4) -> attention map sum_c A^2, (B, H_s, W_s)
 * @param mask   causal importance (B, H, W) in [0, 1], or null when no method asked for it
 */
public record TeacherOutputs(NDArray logits, Map<Integer, NDArray> maps, NDArray mask) {

    public NDArray map(int stage) {
        NDArray m = maps.get(stage);
        if (m == null) {
            throw new IllegalStateException("teacher attention map of stage " + stage + " was not computed; "
                    + "the method's needs() must list it");
        }
        return m;
    }
}
