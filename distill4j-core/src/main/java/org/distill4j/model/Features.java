package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Objects;

/**
 * What a model returns: logits {@code (B, K)} and the four stage outputs, stage 1 (shallow) .. 4 (deep),
 * each {@code (B, C_i, H_i, W_i)}. DJL has no forward hooks, so the model hands its features over itself.
 *
 * @param logits the class scores before softmax, {@code (B, K)}
 * @param stages the stage outputs in order, stage 1 first
 */
public record Features(NDArray logits, List<NDArray> stages) {

    /** Copies the stage list so a caller cannot change what another reads. */
    public Features {
        Objects.requireNonNull(logits, "logits");
        stages = List.copyOf(stages);
    }

    /**
     * Returns one stage output.
     *
     * @param i the stage, 1-based (1 = shallowest)
     * @return the stage output {@code (B, C_i, H_i, W_i)}
     */
    public NDArray stage(int i) {
        if (i < 1 || i > stages.size()) {
            throw new IllegalArgumentException(
                    "stage must be in 1.." + stages.size() + " (1-based), got " + i);
        }
        return stages.get(i - 1);
    }
}
