package org.distill4j.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.distill4j.data.ViewSchedule;
import org.distill4j.loss.CrossEntropy;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * What a training step minimises. A step has two phases: {@link #prepare} runs before the student's
 * gradient collector opens (a frozen teacher's forward, Integrated Gradients, which needs a collector of
 * its own: only one may be open at a time), and the returned {@link StudentLoss} turns the student's
 * outputs into named loss terms inside the collector. The trainer sums and logs the terms and knows
 * nothing else about the method.
 */
public interface TrainObjective {

    /** The names of the terms the step returns, in order (history.csv gets one column each). */
    List<String> termNames();

    /**
     * Work that must happen outside the student's gradient collector.
     *
     * @param images  (B, C, H, W) the normalised input batch
     * @param labels  (B,) true classes
     * @param indices (B,) the training records in the batch
     * @param views   (B,) the view of each record (see {@link #views()}), or null when augmented per batch
     */
    StudentLoss prepare(NDArray images, NDArray labels, int[] indices, int[] views);

    /**
     * The view schedule the batches must follow (a teacher bank holds outputs for those views only), or null:
     * augmentation drawn per batch.
     */
    default ViewSchedule views() {
        return null;
    }

    /** A short description of the method, written to metrics.json as {@code method}. */
    String method();

    /** The loss of one step as a function of the student's outputs, logits (B, K) and stages. */
    @FunctionalInterface
    interface StudentLoss {
        LossTerms apply(Features student);
    }

    /** Training from the labels alone: cross-entropy. */
    static TrainObjective hardLabels() {
        return new TrainObjective() {
            @Override
            public List<String> termNames() {
                return List.of("ce");
            }

            @Override
            public StudentLoss prepare(NDArray images, NDArray labels, int[] indices, int[] views) {
                return student -> LossTerms.of("ce", CrossEntropy.loss(student.logits(), labels));
            }

            @Override
            public String method() {
                return "student-only";
            }
        };
    }
}
