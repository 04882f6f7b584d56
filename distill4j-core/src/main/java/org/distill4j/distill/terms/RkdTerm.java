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
import org.distill4j.loss.RelationalKd;

/**
 * Relational knowledge distillation (Park et al., CVPR 2019) on the pooled embeddings: distance- and angle-wise
 * relations of the batch ({@link RelationalKd}). Value "rkd".
 */
public final class RkdTerm implements Term {
    /**
     * @param distanceWeight weight of the distance relation (the reference's 25)
     * @param angleWeight    weight of the angle relation (50)
     */
    public record Config(double distanceWeight, double angleWeight) {
        public Config {
            ConfigException.require(distanceWeight >= 0 && Double.isFinite(distanceWeight), "rkd.distanceWeight",
                    distanceWeight, ">= 0");
            ConfigException.require(angleWeight >= 0 && Double.isFinite(angleWeight), "rkd.angleWeight", angleWeight,
                    ">= 0");
        }
    }

    public static final Config DEFAULTS = new Config(25, 50);

    private final Config config;

    public RkdTerm(Config config, PairShapes pair) {
        this.config = config;
    }

    @Override
    public List<String> names() {
        return List.of("rkd");
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
        return Map.of("rkd", RelationalKd.loss(in.student().pooled(), in.teacher().get(new Signal.Pooled()),
                config.distanceWeight(), config.angleWeight()));
    }

    @Override
    public String describe() {
        return "RKD(distance " + Terms.num(config.distanceWeight()) + ", angle " + Terms.num(config.angleWeight()) + ")";
    }
}
