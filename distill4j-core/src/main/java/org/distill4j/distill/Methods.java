package org.distill4j.distill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;

/**
 * The registry: named presets of {@link MethodConfig}, and the one place that turns a config into a
 * {@link Distiller}. Adding a method is one class and one line here.
 */
public final class Methods {
    /** The soft-target temperature and share of Hinton et al.'s CIFAR-style setups (T = 4, lambda = 0.9). */
    private static final MethodConfig BASE = new MethodConfig("student-only", 1, 0, 4, 0,
            List.of(1, 2, 3, 4), List.of(), false, 3, 16, 0, 0, 3, 0.1);
    /** Attention-transfer weight: maps are unit-norm, so their mean squared difference is ~1e-3; Zagoruyko &amp; Komodakis use 1000. */
    private static final double AT_WEIGHT = 1000;
    /** Alignment weight: InfoNCE starts near ln(B) (~4 at B = 64), so 0.5 keeps it on the scale of L_KD. */
    private static final double ALIGN_WEIGHT = 0.5;

    private static final Map<String, Map<String, Object>> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("student-only", Map.of());
        PRESETS.put("kd", Map.of("lambda", 0.9));
        PRESETS.put("at", Map.of("gamma", AT_WEIGHT, "attnStages", List.of(2, 3, 4)));
        PRESETS.put("hmat", Map.of("gamma", AT_WEIGHT));
        PRESETS.put("kd-at", Map.of("lambda", 0.9, "gamma", AT_WEIGHT));
        PRESETS.put("kd-causal-at", Map.of("lambda", 0.9, "gamma", AT_WEIGHT, "causal", true));
        PRESETS.put("kd-align", Map.of("lambda", 0.9, "beta", ALIGN_WEIGHT));
        PRESETS.put("seed", Map.of("lambda", 0.9, "gamma", AT_WEIGHT, "causal", true, "beta", ALIGN_WEIGHT));
    }

    private Methods() {}

    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    public static MethodConfig preset(String name) {
        Map<String, Object> o = PRESETS.get(name);
        if (o == null) {
            throw new ConfigException("unknown method '" + name + "' (allowed: " + String.join(", ", names()) + ")");
        }
        Map<String, Object> withName = new LinkedHashMap<>(o);
        withName.put("name", name);
        return Overrides.apply(BASE, withName);
    }

    public static Distiller build(MethodConfig m) {
        List<Double> weights = new ArrayList<>();
        for (int i = 0; i < m.attnStages().size(); i++) {
            weights.add(m.attnWeight(i));
        }
        return new WeightedSum()
                .add(m.alpha(), new KdDistiller(m.lambda(), m.temperature()))
                .add(m.beta(), new AlignmentDistiller(m.alignStage(), m.alignTau()))
                .add(m.gamma(), new AttentionDistiller(m.attnStages(), weights, m.causal(), m.causalStage(),
                        m.igSteps(), m.causalTop()));
    }

    /**
     * Checks that every stage the method reads exists: attention and alignment stages in both networks, the causal
     * mask's stage in the teacher. Stage counts differ across the zoo (3 for CIFAR ResNets, WRNs and ShuffleNets,
     * 4 for the rest), and presets were written for the seed's 4-stage ResNets.
     *
     * @throws ConfigException naming the stage, the network and how to choose others
     */
    public static void checkStages(MethodConfig m, String teacherModel, int teacherStages, String studentModel,
            int studentStages) {
        int both = Math.min(teacherStages, studentStages);
        String pair = String.format(Locale.ROOT, "teacher %s has %d stages and student %s has %d", teacherModel,
                teacherStages, studentModel, studentStages);
        if (m.gamma() > 0) {
            for (int s : m.attnStages()) {
                ConfigException.require(s <= both, "attnStages", m.attnStages(),
                        "stages 1.." + both + ": " + pair + " (method " + m.name() + "; override attnStages, e.g. "
                                + stagesUpTo(both) + ")");
            }
        }
        if (m.beta() > 0) {
            ConfigException.require(m.alignStage() <= both, "alignStage", m.alignStage(), "1.." + both + ": " + pair);
        }
        if (m.gamma() > 0 && m.causal()) {
            ConfigException.require(m.causalStage() <= teacherStages, "causalStage", m.causalStage(),
                    "1.." + teacherStages + ": " + pair);
        }
    }

    private static List<Integer> stagesUpTo(int n) {
        List<Integer> stages = new ArrayList<>();
        for (int s = 1; s <= n; s++) {
            stages.add(s);
        }
        return stages;
    }

    /** A one-line statement of the resolved method, for metrics.json and tables. */
    public static String describe(MethodConfig m) {
        List<String> parts = new ArrayList<>();
        if (m.alpha() > 0) {
            parts.add(m.lambda() > 0
                    ? String.format(Locale.ROOT, "%s*KD(T=%s, lambda=%s)", num(m.alpha()), num(m.temperature()), num(m.lambda()))
                    : num(m.alpha()) + "*CE");
        }
        if (m.beta() > 0) {
            parts.add(String.format(Locale.ROOT, "%s*Align(stage %d, tau=%s)", num(m.beta()), m.alignStage(), num(m.alignTau())));
        }
        if (m.gamma() > 0) {
            String stages = m.attnStages().stream().map(String::valueOf).collect(Collectors.joining(","));
            String w = m.attnWeights().isEmpty() ? "" : " w=" + m.attnWeights();
            parts.add(String.format(Locale.ROOT, "%s*%s(stages %s%s%s)", num(m.gamma()), m.causal() ? "CausalAT" : "AT",
                    stages, w, m.causal() ? String.format(Locale.ROOT, "; IG stage %d, m=%d%s", m.causalStage(),
                            m.igSteps(), m.causalTop() > 0 && m.causalTop() < 1 ? ", top " + num(m.causalTop()) : "") : ""));
        }
        return m.name() + ": " + String.join(" + ", parts);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}
