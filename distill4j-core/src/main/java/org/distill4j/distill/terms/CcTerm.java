package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.CorrelationCongruence;

/**
 * Correlation congruence (CCKD, Peng et al., ICCV 2019), as RepDistiller runs it: both pooled embeddings go through
 * trainable linear embeddings (the teacher's too, trained with the student) to {@code dim}, and the residuals of
 * adjacent samples should be uncorrelated ({@link CorrelationCongruence}). Value "cc".
 */
public final class CcTerm implements Term {
    /** @param dim width of the embeddings (RepDistiller's feat_dim 128) */
    public record Config(int dim) {
        public Config {
            ConfigException.require(dim >= 1 && dim <= 65536, "cc.dim", dim, "1..65536");
        }
    }

    public static final Config DEFAULTS = new Config(128);

    private final Config config;
    private final PairShapes pair;
    private Parts parts = Parts.NONE;

    public CcTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
    }

    @Override
    public List<String> names() {
        return List.of("cc");
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
    public Parts createParts(Parts.Context context) {
        long ds = pair.student().pooled();
        long dt = pair.teacher().pooled();
        parts = Parts.builder(context.manager())
                .module("embedStudent", Terms.linear(config.dim(), ds), new Shape(1, ds))
                .module("embedTeacher", Terms.linear(config.dim(), dt), new Shape(1, dt))
                .build();
        return parts;
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        NDArray es = parts.forward("embedStudent", in.student().pooled(), true);
        NDArray et = parts.forward("embedTeacher", in.teacher().get(new Signal.Pooled()), true);
        return Map.of("cc", CorrelationCongruence.loss(es, et));
    }

    @Override
    public String describe() {
        return "CC(embed " + config.dim() + ")";
    }
}
