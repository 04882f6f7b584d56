package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.Set;

/** Where a distillation step gets the teacher's outputs: the teacher itself (online), or a {@link TeacherBank}. */
public interface TeacherSource {

    /**
     * The teacher's signals for one batch, outside any gradient collector.
     *
     * @param images  (B, C, H, W) normalised with the student's statistics
     * @param labels  (B,) true classes
     * @param indices (B,) the records of the training set in the batch
     * @param views   (B,) which view of its record each image is, or null when the batch was augmented per batch
     * @param signals what to compute
     */
    TeacherOutputs outputs(NDArray images, NDArray labels, int[] indices, int[] views, Set<Signal> signals);
}
