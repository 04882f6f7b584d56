package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import org.distill4j.model.Features;

/**
 * Everything a term sees in one training step.
 *
 * @param student the student's outputs, inside the gradient collector
 * @param teacher the teacher's signals for the same batch, without gradients
 * @param labels  (B,) true classes
 * @param indices (B,) the training records of the batch (their dataset indices), or null outside a data set
 * @param epoch   1-based epoch of the step (DKD's warm-up reads it; 0 outside training)
 * @param batch   0-based batch within the epoch (seeds per-step sampling such as CRD's negatives)
 */
public record TermInput(Features student, TeacherOutputs teacher, NDArray labels, int[] indices, int epoch,
        int batch) {}
