package org.distill4j.distill.terms;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.DecoupledKd;

/**
 * Decoupled KD (Zhao et al., CVPR 2022): target-class and non-target-class KD weighted apart ({@link DecoupledKd}),
 * ramped up linearly over the first {@code warmup} epochs as mdistiller does: min(epoch / warmup, 1), epoch 1-based.
 * Value "dkd".
 */
public final class DkdTerm implements Term {
    /**
     * @param alpha       weight of TCKD (1)
     * @param beta        weight of NCKD (8; mdistiller uses 2 for res56-res20 and res110-res32, 6 for WRN and VGG pairs)
     * @param temperature T (4)
     * @param warmup      epochs of the linear ramp (20 of mdistiller's 240; 0: none)
     */
    public record Config(double alpha, double beta, double temperature, double warmup) {
        public Config {
            ConfigException.require(alpha >= 0 && Double.isFinite(alpha), "dkd.alpha", alpha, ">= 0");
            ConfigException.require(beta >= 0 && Double.isFinite(beta), "dkd.beta", beta, ">= 0");
            ConfigException.require(temperature > 0 && Double.isFinite(temperature), "dkd.temperature", temperature,
                    "> 0");
            ConfigException.require(warmup >= 0 && Double.isFinite(warmup), "dkd.warmup", warmup, ">= 0 epochs");
        }
    }

    public static final Config DEFAULTS = new Config(1, 8, 4, 20);

    private final Config config;

    public DkdTerm(Config config, PairShapes pair) {
        this.config = config;
    }

    @Override
    public List<String> names() {
        return List.of("dkd");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(new Signal.Logits());
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.LOGITS, Read.LABELS);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        double ramp = config.warmup() == 0 ? 1 : Math.min(in.epoch() / config.warmup(), 1.0);
        NDArray dkd = DecoupledKd.loss(in.student().logits(), in.teacher().logits(), in.labels(), config.alpha(),
                config.beta(), config.temperature());
        return Map.of("dkd", dkd.mul(Scalars.of((float) ramp)));
    }

    @Override
    public String describe() {
        return "DKD(alpha " + Terms.num(config.alpha()) + ", beta " + Terms.num(config.beta()) + ", T="
                + Terms.num(config.temperature()) + ", warm-up " + Terms.num(config.warmup()) + " epochs)";
    }
}
