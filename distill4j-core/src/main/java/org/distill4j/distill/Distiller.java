package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * One distillation method: turns the student's outputs and the teacher's (precomputed, frozen) outputs
 * into named, weighted loss terms. Methods never touch the trainer (STYLE.md habit 1).
 */
public interface Distiller {

    /** Names of the terms {@link #loss} returns, in order. */
    List<String> termNames();

    /** What the teacher must compute for this method. */
    TeacherNeeds needs();

    /**
     * @param student logits (B, K) and stages of the student, inside the gradient collector
     * @param teacher the teacher's outputs for the same batch
     * @param labels  (B,) true classes
     */
    LossTerms loss(Features student, TeacherOutputs teacher, NDArray labels);
}
