package org.distill4j.distill;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TermConfig;
import org.distill4j.distill.terms.AfdTerm;
import org.distill4j.distill.terms.AlignTerm;
import org.distill4j.distill.terms.AtTerm;
import org.distill4j.distill.terms.CcTerm;
import org.distill4j.distill.terms.CeTerm;
import org.distill4j.distill.terms.CrdTerm;
import org.distill4j.distill.terms.DkdTerm;
import org.distill4j.distill.terms.FitnetTerm;
import org.distill4j.distill.terms.HmatTerm;
import org.distill4j.distill.terms.HybridAtTerm;
import org.distill4j.distill.terms.KdTerm;
import org.distill4j.distill.terms.NstTerm;
import org.distill4j.distill.terms.PktTerm;
import org.distill4j.distill.terms.RkdTerm;
import org.distill4j.distill.terms.SpTerm;
import org.distill4j.distill.terms.VidTerm;

/**
 * The registry: the term kinds (one line each: name, default options, constructor, what it is), the method presets
 * (weighted terms with their reference's defaults), and the one place that turns a method as written in a study file
 * or on the command line into a resolved {@link MethodConfig} and then into a {@link Method}. Adding a method is one
 * term class, one line in {@link #TERMS}, one preset in {@link #PRESETS} and one test.
 */
public final class Methods {

    /** A term kind: its default options (a record whose compact constructor validates) and how to build it. */
    public record Kind<C extends Record>(String name, C defaults, BiFunction<C, PairShapes, Term> create,
            String summary) {}

    /** A preset: its label in tables, what it is, and its terms (kind, weight, options that differ from the kind's). */
    public record Preset(String name, String label, String summary, List<TermConfig> terms) {}

    private static final Map<String, Kind<?>> TERMS = new LinkedHashMap<>();
    private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

    /** Attention-transfer weight: maps are unit-norm, so their mean squared difference is ~1e-3; Zagoruyko &amp; Komodakis use 1000. */
    private static final double AT_WEIGHT = 1000;
    /** The stages the seed's attention terms transfer (kd-at, kd-causal-at, seed): all but a 4th. */
    private static final List<Integer> SEED_STAGES = List.of(1, 2, 3);
    /** Alignment weight: InfoNCE starts near ln(B) (~4 at B = 64), so 0.5 keeps it on the scale of L_KD. */
    private static final double ALIGN_WEIGHT = 0.5;

    static {
        kind(new Kind<>("ce", CeTerm.DEFAULTS, CeTerm::new, "cross-entropy with the true classes"));
        kind(new Kind<>("kd", KdTerm.DEFAULTS, KdTerm::new, "soft targets, T^2 KL (Hinton et al. 2015)"));
        kind(new Kind<>("at", AtTerm.DEFAULTS, AtTerm::new,
                "attention transfer per stage, optionally masked by IG (Zagoruyko & Komodakis 2017; the seed)"));
        kind(new Kind<>("align", AlignTerm.DEFAULTS, AlignTerm::new, "InfoNCE in attention space (the seed)"));
        kind(new Kind<>("fitnet", FitnetTerm.DEFAULTS, FitnetTerm::new, "hint + ConvReg regressor (Romero et al. 2015)"));
        kind(new Kind<>("sp", SpTerm.DEFAULTS, SpTerm::new, "similarity preserving (Tung & Mori 2019)"));
        kind(new Kind<>("cc", CcTerm.DEFAULTS, CcTerm::new, "correlation congruence (Peng et al. 2019)"));
        kind(new Kind<>("vid", VidTerm.DEFAULTS, VidTerm::new, "variational information distillation (Ahn et al. 2019)"));
        kind(new Kind<>("rkd", RkdTerm.DEFAULTS, RkdTerm::new, "relational KD, distance and angle (Park et al. 2019)"));
        kind(new Kind<>("pkt", PktTerm.DEFAULTS, PktTerm::new, "probabilistic knowledge transfer (Passalis & Tefas 2018)"));
        kind(new Kind<>("crd", CrdTerm.DEFAULTS, CrdTerm::new, "contrastive representation distillation (Tian et al. 2020)"));
        kind(new Kind<>("nst", NstTerm.DEFAULTS, NstTerm::new, "neuron selectivity transfer (Huang & Wang 2017)"));
        kind(new Kind<>("dkd", DkdTerm.DEFAULTS, DkdTerm::new, "decoupled KD (Zhao et al. 2022)"));
        kind(new Kind<>("hat", HybridAtTerm.DEFAULTS, HybridAtTerm::new, "hybrid attention transfer (H-AT, Qu et al. 2020)"));
        kind(new Kind<>("afd", AfdTerm.DEFAULTS, AfdTerm::new,
                "attention-based feature matching (AFD, Ji et al. 2021): the seed's KDAFM"));
        kind(new Kind<>("hmat", HmatTerm.DEFAULTS, HmatTerm::new,
                "position, channel and activation attention by level (HMAT-style, Gou et al. 2022)"));

        // The seed's own methods (kd, the kd-* variants and seed keep the meaning they had before terms existed).
        preset("student-only", "Student only", "labels alone", t("ce", 1));
        preset("kd", "Student + KD", "Hinton et al. 2015 with RepDistiller's weights", t("ce", 0.1), t("kd", 0.9));
        preset("at", "Student + AT (attention transfer)", "Zagoruyko & Komodakis 2017 on the deep stages",
                t("ce", 1), t("at", AT_WEIGHT, "stages", List.of(2, 3, 4)));
        preset("h-at", "Student + H-AT (hierarchical attention)", "the seed's H-AT: attention transfer on every stage",
                t("ce", 1), t("at", AT_WEIGHT));
        // The seed's attention terms leave out stage 4: on a 4-stage ResNet its map is 4x4 on CIFAR and
        // Fashion-MNIST, and at weight 1000 its mean over 16 positions outweighs KD and costs 9 to 12 points
        // (experiments/fashion-mnist-at-ablation.yaml, docs/at-ablation.md). Stages 1-3 are every stage of a
        // 3-stage network.
        preset("kd-at", "Student + KD + attention", "KD and attention transfer on stages 1-3", t("ce", 0.1),
                t("kd", 0.9), t("at", AT_WEIGHT, "stages", SEED_STAGES));
        preset("kd-causal-at", "Student + KD + causal attention", "KD and IG-masked attention transfer on stages 1-3",
                t("ce", 0.1), t("kd", 0.9), t("at", AT_WEIGHT, "causal", true, "stages", SEED_STAGES));
        preset("kd-align", "Student + KD + alignment", "KD and contrastive alignment", t("ce", 0.1), t("kd", 0.9),
                t("align", ALIGN_WEIGHT));
        preset("seed", "Student + seed loss (KD + align + causal HMAT)",
                "the seed's L = alpha*L_KD + beta*L_Align + gamma*L_Attn", t("ce", 0.1), t("kd", 0.9),
                t("align", ALIGN_WEIGHT), t("at", AT_WEIGHT, "causal", true, "stages", SEED_STAGES));
        // The seed's comparison table (HMAT Table 1) and the field's standard set, with their references' weights.
        preset("hybrid-at", "Student + hybrid AT (H-AT code)", "Qu et al. 2020 as somone23412/H-AT runs it", t("ce", 1),
                t("hat", 10));
        preset("cckd", "Student + CCKD", "correlation congruence, RepDistiller's weight", t("ce", 1), t("cc", 0.02));
        preset("vid", "Student + VID", "variational information distillation", t("ce", 1), t("vid", 1));
        preset("kdafm", "Student + KDAFM (AFD)", "attention-based feature matching, its code's weights", t("ce", 1),
                t("kd", 0.9), t("afd", 200));
        preset("crd", "Student + CRD", "contrastive representation distillation", t("ce", 1), t("crd", 0.8));
        preset("crd-kd", "Student + CRD + KD", "CRD with KD, as RepDistiller's CRD+KD row", t("ce", 1), t("kd", 1),
                t("crd", 0.8));
        preset("hmat", "Student + HMAT-style (multi-attention)", "HMAT reconstructed from its abstract", t("ce", 1),
                t("hmat", 1));
        preset("fitnets", "Student + FitNets", "hint at stage 2 through ConvReg, trained jointly", t("ce", 1),
                t("fitnet", 100));
        preset("sp", "Student + SP", "similarity preserving", t("ce", 1), t("sp", 3000));
        preset("rkd", "Student + RKD", "relational KD", t("ce", 1), t("rkd", 1));
        preset("pkt", "Student + PKT", "probabilistic knowledge transfer", t("ce", 1), t("pkt", 30000));
        preset("nst", "Student + NST", "neuron selectivity transfer", t("ce", 1), t("nst", 50));
        preset("dkd", "Student + DKD", "decoupled KD, mdistiller's CIFAR-100 defaults", t("ce", 1), t("dkd", 1));
    }

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Methods() {}

    private static void kind(Kind<?> k) {
        TERMS.put(k.name(), k);
    }

    private static TermConfig t(String kind, double weight, Object... options) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            o.put((String) options[i], options[i + 1]);
        }
        return new TermConfig(kind, weight, o);
    }

    private static void preset(String name, String label, String summary, TermConfig... terms) {
        PRESETS.put(name, new Preset(name, label, summary, List.of(terms)));
    }

    /** Preset names, in the order of the docs. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /** The presets. */
    public static List<Preset> presets() {
        return List.copyOf(PRESETS.values());
    }

    /** The term kinds. */
    public static List<Kind<?>> kinds() {
        return List.copyOf(TERMS.values());
    }

    /** A preset, resolved (every option of every term filled in). */
    public static MethodConfig preset(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) {
            throw new ConfigException("unknown method '" + name + "' (presets: " + String.join(", ", names())
                    + "; or give an explicit list: {name: mine, terms: [{term: ce, weight: 1}, ...]} with terms "
                    + String.join(", ", TERMS.keySet()) + ")");
        }
        return resolve(new MethodConfig(name, p.terms()));
    }

    /**
     * A method as a study file or a config file writes it:
     * <ul>
     *   <li>a preset name: {@code kd};</li>
     *   <li>a preset with overrides: {@code {name: seed, igSteps: 8}}; a key applies to the preset's one term that
     *       has it, or is qualified by the term: {@code {name: seed, at: {stages: [1, 2], weight: 500}}} or
     *       {@code at.stages}; {@code TERM.weight} changes a weight;</li>
     *   <li>an explicit list of weighted terms: {@code {name: mine, terms: [{term: ce, weight: 1},
     *       {term: at, weight: 1000, stages: [2, 3]}]}}.</li>
     * </ul>
     * The result is resolved: every option of every term is filled in and checked.
     */
    public static MethodConfig parse(Object raw) {
        if (raw instanceof String name) {
            return preset(name);
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new ConfigException("method: expected a preset name (" + String.join(", ", names())
                    + ") or a map {name: PRESET, overrides...} or {name: NAME, terms: [...]}, got '" + raw + "'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = new LinkedHashMap<>((Map<String, Object>) m);
        if (map.containsKey("terms")) {
            return explicit(map);
        }
        Object name = map.remove("name");
        if (!(name instanceof String preset)) {
            throw new ConfigException("method: a map needs 'name', a preset (" + String.join(", ", names())
                    + "), or 'terms', an explicit list");
        }
        return withOverrides(preset(preset), map);
    }

    private static MethodConfig explicit(Map<String, Object> map) {
        for (String k : map.keySet()) {
            if (!k.equals("name") && !k.equals("terms")) {
                throw new ConfigException("method: unknown key '" + k + "' beside terms; allowed: name, terms");
            }
        }
        if (!(map.get("terms") instanceof List<?> list) || list.isEmpty()) {
            throw new ConfigException("method.terms: expected a list of {term: KIND, weight: W, options...}");
        }
        List<TermConfig> terms = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> tm)) {
                throw new ConfigException("method.terms: each entry must be a map {term: KIND, weight: W, ...}, got '"
                        + o + "'");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> options = new LinkedHashMap<>((Map<String, Object>) tm);
            Object kind = options.remove("term");
            Object weight = options.remove("weight");
            if (!(kind instanceof String k)) {
                throw new ConfigException("method.terms: an entry needs 'term', one of " + String.join(", ", TERMS.keySet()));
            }
            if (!(weight instanceof Number w)) {
                throw new ConfigException("method.terms: term " + k + " needs a numeric 'weight', got '" + weight + "'");
            }
            if (options.get("options") instanceof Map<?, ?> nested && options.size() == 1) {
                @SuppressWarnings("unchecked")
                Map<String, Object> n = (Map<String, Object>) nested;
                options = new LinkedHashMap<>(n);
            }
            terms.add(new TermConfig(k, w.doubleValue(), options));
        }
        Object name = map.getOrDefault("name", "custom");
        return resolve(new MethodConfig(String.valueOf(name), terms));
    }

    /**
     * Applies overrides to a resolved method: {@code key: value} goes to the one term that has the key;
     * {@code TERM: {key: value, weight: w}} or {@code TERM.key: value} to that term.
     */
    public static MethodConfig withOverrides(MethodConfig method, Map<String, Object> overrides) {
        Map<String, Map<String, Object>> byTerm = new LinkedHashMap<>();
        method.terms().forEach(t -> byTerm.put(t.term(), new LinkedHashMap<>()));
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            if (dot > 0) {
                put(method, byTerm, key.substring(0, dot), key.substring(dot + 1), e.getValue());
            } else if (byTerm.containsKey(key) && e.getValue() instanceof Map<?, ?> nested) {
                nested.forEach((k, v) -> put(method, byTerm, key, String.valueOf(k), v));
            } else {
                List<String> owners = method.terms().stream().filter(t -> t.options().containsKey(key))
                        .map(TermConfig::term).toList();
                if (owners.size() != 1) {
                    throw new ConfigException("method " + method.name() + ": " + (owners.isEmpty()
                            ? "unknown key '" + key + "'; allowed: " + allowedKeys(method)
                            : "key '" + key + "' belongs to terms " + owners + "; qualify it, e.g. " + owners.get(0)
                                    + "." + key));
                }
                put(method, byTerm, owners.get(0), key, e.getValue());
            }
        }
        List<TermConfig> terms = new ArrayList<>();
        for (TermConfig t : method.terms()) {
            Map<String, Object> o = new LinkedHashMap<>(t.options());
            Map<String, Object> changes = byTerm.get(t.term());
            double weight = t.weight();
            if (changes.containsKey("weight")) {
                Object w = changes.remove("weight");
                if (!(w instanceof Number n)) {
                    throw new ConfigException("method " + method.name() + ": " + t.term() + ".weight must be a number, got '"
                            + w + "'");
                }
                weight = n.doubleValue();
            }
            o.putAll(changes);
            terms.add(new TermConfig(t.term(), weight, o));
        }
        return resolve(new MethodConfig(method.name(), terms));
    }

    private static void put(MethodConfig method, Map<String, Map<String, Object>> byTerm, String term, String key,
            Object value) {
        Map<String, Object> t = byTerm.get(term);
        if (t == null) {
            throw new ConfigException("method " + method.name() + " has no term '" + term + "' (its terms: "
                    + String.join(", ", byTerm.keySet()) + "); an explicit list adds terms: {name: NAME, terms: [...]}");
        }
        t.put(key, value);
    }

    private static String allowedKeys(MethodConfig method) {
        TreeSet<String> keys = new TreeSet<>();
        for (TermConfig t : method.terms()) {
            keys.add(t.term() + ".weight");
            keys.addAll(t.options().keySet());
        }
        return String.join(", ", keys);
    }

    /**
     * Fills in every default of every term and checks every value, so that two spellings of one method compare equal
     * and a stored config states every number that ran.
     *
     * @throws ConfigException naming the term, the key and what is allowed
     */
    public static MethodConfig resolve(MethodConfig method) {
        List<TermConfig> terms = new ArrayList<>();
        for (TermConfig t : method.terms()) {
            Kind<?> kind = kind(t.term());
            terms.add(new TermConfig(t.term(), t.weight(), canonical(kind, typed(kind, t.options()))));
        }
        return new MethodConfig(method.name(), terms);
    }

    private static Kind<?> kind(String name) {
        Kind<?> k = TERMS.get(name);
        if (k == null) {
            throw new ConfigException("unknown term '" + name + "' (terms: " + String.join(", ", TERMS.keySet()) + ")");
        }
        return k;
    }

    /** The term's options as its config record: unknown keys and out-of-range values fail here. */
    private static Record typed(Kind<?> kind, Map<String, Object> options) {
        Record defaults = kind.defaults();
        if (defaults.getClass().getRecordComponents().length == 0) {
            if (!options.isEmpty()) {
                throw new ConfigException("term " + kind.name() + " takes no options, got " + options.keySet());
            }
            return defaults;
        }
        try {
            return Overrides.apply(defaults, options);
        } catch (ConfigException e) {
            throw new ConfigException("term " + kind.name() + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> canonical(Kind<?> kind, Record config) {
        if (config.getClass().getRecordComponents().length == 0) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = MAPPER.convertValue(config, LinkedHashMap.class);
        return m;
    }

    /**
     * Binds a method to a teacher-student pair: builds its terms, each checking that what it names exists in both
     * networks.
     *
     * @throws ConfigException naming the term, the key and the stages both networks have
     */
    public static Method bind(MethodConfig method, PairShapes pair) {
        List<Term> terms = new ArrayList<>();
        for (TermConfig t : method.terms()) {
            terms.add(build(kind(t.term()), t.options(), pair));
        }
        return new Method(method, terms);
    }

    @SuppressWarnings("unchecked")
    private static <C extends Record> Term build(Kind<C> kind, Map<String, Object> options, PairShapes pair) {
        return kind.create().apply((C) typed(kind, options), pair);
    }

    /** A line for tables without a pair: each weighted term with the options that differ from the kind's defaults. */
    public static String describe(MethodConfig method) {
        List<String> parts = new ArrayList<>();
        for (TermConfig t : method.terms()) {
            if (t.weight() == 0) {
                continue;
            }
            Map<String, Object> defaults = canonical(kind(t.term()), kind(t.term()).defaults());
            List<String> changed = new ArrayList<>();
            t.options().forEach((k, v) -> {
                if (!Objects.equals(v, defaults.get(k))) {
                    changed.add(k + "=" + v);
                }
            });
            parts.add(num(t.weight()) + "*" + t.term() + (changed.isEmpty() ? "" : "(" + String.join(", ", changed) + ")"));
        }
        return method.name() + ": " + String.join(" + ", parts);
    }

    /** The table label: the preset's (a variant that overrides it keeps it; the table adds variant names where two agree). */
    public static String label(MethodConfig method) {
        Preset p = PRESETS.get(method.name());
        return p == null ? method.name() : p.label();
    }

    /** The causal mask a method's attention-transfer term reads, if any. */
    public static Optional<Signal.Mask> mask(MethodConfig method) {
        TermConfig at = method.term("at");
        if (at == null || at.weight() == 0 || !Boolean.TRUE.equals(at.options().get("causal"))) {
            return Optional.empty();
        }
        AtTerm.Config c = (AtTerm.Config) typed(kind("at"), at.options());
        return Optional.of(new Signal.Mask(c.causalStage(), c.igSteps(), c.causalTop()));
    }

    /** The soft-target temperature of a method's KD term, if it has one. */
    public static Optional<Double> kdTemperature(MethodConfig method) {
        TermConfig kd = method.term("kd");
        if (kd == null || kd.weight() == 0) {
            return Optional.empty();
        }
        return Optional.of(((KdTerm.Config) typed(kind("kd"), kd.options())).temperature());
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%s", v);
    }
}
