package org.distill4j.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * What a training step minimises: turns the model's outputs (and, for distillation, the batch's images,
 * which a teacher may look at) into named loss terms. The trainer sums and logs them and knows nothing else.
 */
public interface TrainObjective {

    /** The names of the terms {@link #loss} returns, in order (history.csv gets one column each). */
    List<String> termNames();

    /**
     * @param student outputs of the model being trained, logits (B, K) and stages
     * @param labels (B,) true classes
     * @param images (B, C, H, W) the normalised input batch
     */
    LossTerms loss(Features student, NDArray labels, NDArray images);

    /** A short name of the method, written to metrics.json as {@code method}. */
    String method();

    /** Training from the labels alone: cross-entropy. */
    static TrainObjective hardLabels() {
        return new TrainObjective() {
            @Override
            public List<String> termNames() {
                return List.of("ce");
            }

            @Override
            public LossTerms loss(Features student, NDArray labels, NDArray images) {
                return LossTerms.of("ce", org.distill4j.loss.CrossEntropy.loss(student.logits(), labels));
            }

            @Override
            public String method() {
                return "student-only";
            }
        };
    }
}
