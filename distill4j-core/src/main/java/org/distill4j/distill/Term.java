package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loss term of a method, bound to a teacher-student pair: what it reads, what it owns, and its value. A method
 * ({@link Method}) is a weighted sum of terms; the training loop only sums and logs what they return (STYLE.md habit
 * 1). The maths of each term is a pure function in {@code org.distill4j.loss}; the term class binds it to its config,
 * to the pair's shapes and to the parts it owns. Terms are built by {@link Methods}, one registry line each.
 */
public interface Term {

    /** Names of the values {@link #loss} returns, in order (history.csv logs each; e.g. attn1, attn2). */
    List<String> names();

    /** What the term reads of the frozen teacher; the teacher (or its bank) computes exactly these. */
    Set<Signal> teacherSignals();

    /** What it reads of the student's {@link org.distill4j.model.Features}, for documentation and the report. */
    Set<Read> studentReads();

    /** Whether {@link #loss} reads each sample's dataset index (and the training labels through its parts). */
    default boolean readsIndices() {
        return false;
    }

    /**
     * Creates what the term owns, once, before training: trainable modules (trained with the student by the same
     * optimizer) and state. Called before the optimizer is built and before a checkpoint is restored into them.
     */
    default Parts createParts(Parts.Context context) {
        return Parts.NONE;
    }

    /**
     * The term's values for one step, unweighted, one scalar per name of {@link #names}. Runs inside the student's
     * gradient collector: gradients reach the student and the term's own parts.
     */
    Map<String, NDArray> loss(TermInput in);

    /** One line: the term and the options that matter, e.g. {@code KD(T=4)}. */
    String describe();

    /** The parts of a network's {@link org.distill4j.model.Features} a term may read. */
    enum Read { LOGITS, STAGES, PREACTS, POOLED, BLOCKS, LABELS, INDICES, NEGATIVES }
}
