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
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.InfoNce;

/**
 * Contrastive alignment in attention space (the seed's L_Align): each image's student attention map should be closer
 * to the same image's teacher map than to the other images' teacher maps in the batch. Maps are resized to the
 * smaller size, flattened and L2-normalised; similarity = cosine / tau, InfoNCE over the batch (van den Oord et al.
 * 2018). Value "align".
 */
public final class AlignTerm implements Term {
    /**
     * @param stage stage whose attention maps are aligned
     * @param tau   InfoNCE temperature
     */
    public record Config(int stage, double tau) {
        public Config {
            ConfigException.require(stage >= 1 && stage <= 8, "align.stage", stage, "1..8");
            ConfigException.require(tau > 0 && Double.isFinite(tau), "align.tau", tau, "> 0");
        }
    }

    public static final Config DEFAULTS = new Config(3, 0.1);

    private final Config config;
    private final Signal.AttentionMap map;

    public AlignTerm(Config config, PairShapes pair) {
        this.config = config;
        pair.requireStages("align", "stage", List.of(config.stage()));
        this.map = new Signal.AttentionMap(config.stage(), 0, 0);
    }

    @Override
    public List<String> names() {
        return List.of("align");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(map);
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        NDArray s = AttentionMaps.spatial(in.student().stage(config.stage())); // (B, H, W)
        NDArray t = in.teacher().get(map); // (B, H', W')
        long h = Math.min(s.getShape().get(1), t.getShape().get(1));
        long w = Math.min(s.getShape().get(2), t.getShape().get(2));
        NDArray qs = AttentionMaps.normalized(AttentionMaps.resize(s, h, w)); // (B, h*w)
        NDArray qt = AttentionMaps.normalized(AttentionMaps.resize(t, h, w)); // (B, h*w)
        return Map.of("align", InfoNce.loss(qs, qt, config.tau()));
    }

    @Override
    public String describe() {
        return "Align(stage " + config.stage() + ", tau=" + Terms.num(config.tau()) + ")";
    }
}
