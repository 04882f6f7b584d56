package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.SoftTargets;

/**
 * Soft targets (Hinton, Vinyals &amp; Dean 2015): T^2 * KL(softmax(t/T) || softmax(s/T)), RepDistiller's
 * {@code DistillKL}. Value "soft". The classic KD is this at weight 0.9 beside cross-entropy at 0.1.
 */
public final class KdTerm implements Term {
    /** @param temperature T; 4 in the CIFAR benchmarks (RepDistiller, mdistiller) */
    public record Config(double temperature) {
        public Config {
            ConfigException.require(temperature > 0 && Double.isFinite(temperature), "kd.temperature", temperature,
                    "> 0");
        }
    }

    public static final Config DEFAULTS = new Config(4);

    private final Config config;

    public KdTerm(Config config, PairShapes pair) {
        this.config = config;
    }

    @Override
    public List<String> names() {
        return List.of("soft");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(new Signal.Logits());
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.LOGITS);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        return Map.of("soft", SoftTargets.loss(in.student().logits(), in.teacher().logits(), config.temperature()));
    }

    @Override
    public String describe() {
        return "KD(T=" + Terms.num(config.temperature()) + ")";
    }
}
