package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Objects;

/**
 * What a network returns for a batch, the tensors distillation methods read (DJL has no forward hooks, so the
 * network hands them over itself). Stages follow the reference implementations' feature lists (RepDistiller's
 * {@code is_feat=True}): {@code stem} is their f0, {@code stages} f1..f_n, {@code pooled} the vector before the
 * classifier.
 *
 * @param logits  class scores before softmax, {@code (B, K)}
 * @param stages  stage outputs, shallow first, {@code (B, C_i, H_i, W_i)}: post-activation for ResNets, VGG and
 *                ShuffleNets; the raw residual sum for pre-activation WRNs; the linear block output for
 *                MobileNetV2 (as the references expose them)
 * @param preacts the same stages before their activation, as the references' {@code preact=True} gives them
 *                (ResNet: the residual sum before ReLU; WRN: the next block's BatchNorm applied to the stage
 *                output; VGG: before the last ReLU). Equal to {@code stages} where the architecture has no
 *                distinct form (MobileNetV2).
 * @param pooled  the pooled embedding the classifier reads, {@code (B, d)}
 * @param blocks  the output of every residual block (or unit: inverted residual, shuffle unit; for VGG every
 *                conv layer), in order
 * @param stem    the stem's output, {@code (B, C_0, H_0, W_0)}
 */
public record Features(NDArray logits, List<NDArray> stages, List<NDArray> preacts, NDArray pooled,
        List<NDArray> blocks, NDArray stem) {

    /** Copies the lists so a caller cannot change what another reads. */
    public Features {
        Objects.requireNonNull(logits, "logits");
        stages = List.copyOf(stages);
        preacts = List.copyOf(preacts);
        blocks = List.copyOf(blocks);
        if (preacts.size() != stages.size()) {
            throw new IllegalArgumentException(
                    preacts.size() + " pre-activation outputs for " + stages.size() + " stages");
        }
    }

    /** Returns the number of stages. */
    public int stageCount() {
        return stages.size();
    }

    /**
     * Returns one stage output.
     *
     * @param i the stage, 1-based (1 = shallowest)
     * @return the stage output {@code (B, C_i, H_i, W_i)}
     */
    public NDArray stage(int i) {
        return stages.get(checkStage(i) - 1);
    }

    /**
     * Returns one stage output before its activation (see {@link #preacts}).
     *
     * @param i the stage, 1-based
     * @return {@code (B, C_i, H_i, W_i)}
     */
    public NDArray preact(int i) {
        return preacts.get(checkStage(i) - 1);
    }

    private int checkStage(int i) {
        if (i < 1 || i > stages.size()) {
            throw new IllegalArgumentException(
                    "stage must be in 1.." + stages.size() + " (1-based), got " + i);
        }
        return i;
    }
}
