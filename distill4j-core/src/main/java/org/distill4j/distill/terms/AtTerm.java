package org.distill4j.distill.terms;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.AttentionTransfer;

/**
 * Attention transfer (Zagoruyko &amp; Komodakis 2017) over several stages, one value per stage ("attn1".."attn4"):
 * w_s * mean (q_s^S - q_s^T)^2 with q the L2-normalised map sum_c A^2, the larger feature map pooled to the smaller's
 * size first (RepDistiller's {@code AT.py}). With {@code causal}, each stage's squared difference is weighted by the
 * teacher's Integrated-Gradients mask resized to that stage: the seed's causal attention transfer.
 */
public final class AtTerm implements Term {
    /**
     * @param stages      stages to transfer; absent: every stage both networks have
     * @param weights     one weight per stage (HMAT-style per-stage weights); empty: all 1
     * @param causal      weight by the teacher's causal (IG) mask
     * @param causalStage teacher stage IG explains (the seed: layer3)
     * @param igSteps     IG's Riemann steps m
     * @param causalTop   keep only the top fraction of each mask's positions (0 or 1: all)
     */
    public record Config(List<Integer> stages, List<Double> weights, boolean causal, int causalStage, int igSteps,
            double causalTop) {
        public Config {
            stages = stages == null ? null : List.copyOf(stages);
            weights = weights == null ? List.of() : List.copyOf(weights);
            ConfigException.require(stages == null || !stages.isEmpty(), "at.stages", stages,
                    "at least one stage, or leave it out for all");
            Terms.requireWeights("at.weights", weights, stages);
            ConfigException.require(causalStage >= 1 && causalStage <= 8, "at.causalStage", causalStage, "1..8");
            ConfigException.require(igSteps >= 1 && igSteps <= 1024, "at.igSteps", igSteps, "1..1024");
            ConfigException.require(causalTop >= 0 && causalTop <= 1, "at.causalTop", causalTop, "[0, 1]");
        }
    }

    public static final Config DEFAULTS = new Config(null, List.of(), false, 3, 16, 0);

    private final Config config;
    private final List<Integer> stages;
    private final List<Signal.AttentionMap> maps = new ArrayList<>();
    private final PairShapes pair;
    private final Signal.Mask mask;

    public AtTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        this.stages = Terms.stages("at", "stages", config.stages(), pair);
        ConfigException.require(config.weights().isEmpty() || config.weights().size() == stages.size(), "at.weights",
                config.weights(), "one weight per stage (" + stages.size() + ")");
        stages.forEach(s -> maps.add(Terms.teacherMap(pair, s)));
        if (config.causal()) {
            pair.requireTeacherStage("at", "causalStage", config.causalStage());
        }
        mask = config.causal() ? new Signal.Mask(config.causalStage(), config.igSteps(), config.causalTop()) : null;
    }

    @Override
    public List<String> names() {
        return stages.stream().map(s -> "attn" + s).toList();
    }

    @Override
    public Set<Signal> teacherSignals() {
        Set<Signal> out = new TreeSet<>(maps);
        if (mask != null) {
            out.add(mask);
        }
        return out;
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        NDArray m = mask == null ? null : in.teacher().get(mask); // (B, H_c, W_c), resized per stage by the loss
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            int s = stages.get(i);
            NDArray student = AttentionMaps.spatial(Terms.studentStage(in.student(), pair, s)); // (B, h, w)
            NDArray value = AttentionTransfer.lossOnMaps(student, in.teacher().get(maps.get(i)), m);
            out.put("attn" + s, value.mul(Scalars.of((float) Terms.weight(config.weights(), i))));
        }
        return out;
    }

    @Override
    public String describe() {
        String w = config.weights().isEmpty() ? "" : " w=" + config.weights();
        String causal = String.format(Locale.ROOT, "; IG stage %d, m=%d%s", config.causalStage(), config.igSteps(),
                config.causalTop() > 0 && config.causalTop() < 1 ? ", top " + Terms.num(config.causalTop()) : "");
        return (config.causal() ? "CausalAT" : "AT") + "(stages " + Terms.stageList(stages) + w
                + (config.causal() ? causal : "") + ")";
    }
}
