package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.Pkt;

/** Probabilistic knowledge transfer (Passalis &amp; Tefas, ECCV 2018) on the pooled embeddings ({@link Pkt}). Value "pkt". */
public final class PktTerm implements Term {
    /** No options. */
    public record Config() {}

    public static final Config DEFAULTS = new Config();

    public PktTerm(Config config, PairShapes pair) {}

    @Override
    public List<String> names() {
        return List.of("pkt");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(new Signal.Pooled());
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.POOLED);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        return Map.of("pkt", Pkt.loss(in.student().pooled(), in.teacher().get(new Signal.Pooled())));
    }

    @Override
    public String describe() {
        return "PKT";
    }
}
