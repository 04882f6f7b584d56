package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.CrossEntropy;

/** The hard labels: cross-entropy of the student's logits against the true classes. Value "ce". */
public final class CeTerm implements Term {
    /** No options. */
    public record Config() {}

    public static final Config DEFAULTS = new Config();

    public CeTerm(Config config, PairShapes pair) {}

    @Override
    public List<String> names() {
        return List.of("ce");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of();
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.LOGITS, Read.LABELS);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        return Map.of("ce", CrossEntropy.loss(in.student().logits(), in.labels()));
    }

    @Override
    public String describe() {
        return "CE";
    }
}
