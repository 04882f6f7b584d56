package org.distill4j.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Methods;
import org.distill4j.run.Json;

/**
 * A whole study, as {@code distill4j run EXPERIMENT.yaml} reads it: a teacher stage, the students' shared
 * training configuration, the seeds, the variants (one method each) and the report's options.
 * <pre>
 * name: fashion-mnist-quick
 * description: what the study asks, shown at the top of the report
 * teacher:
 *   model: ../teachers/fashion-mnist-resnet50-cbam-w16   # or run: DIR, torchscript: FILE.pt, train: {...},
 *                                                        # ensemble: NAME.ensemble.yaml, train: {...} + members: N
 *   sha256: 0123…                                        # of parameters.bin, checked before use
 * student: {model: resnet18, width: 16, dataset: fashion-mnist, epochs: 2, ...}   # TrainConfig keys
 * seeds: [1, 2, 3]
 * variants:
 *   - {name: student-only, method: student-only}
 *   - {name: kd, method: kd}
 *   - {name: seed, method: {name: seed, igSteps: 4}, student: {epochs: 3}}        # preset + overrides
 *   - {name: kd-ensemble, method: kd, teacher: {ensemble: team.ensemble.yaml}}    # its own teacher
 *   - {name: born-again-1, method: kd, teacher: {variant: student-only}}          # the same seed's student-only
 * teacherBank: {views: 1, seed: 0, precision: fp16}   # optional: precompute the teacher (absent: online)
 * report: {samples: 4}
 * </pre>
 * Relative paths (teacher model or run, student dataDir) are resolved against the file's own directory.
 *
 * @param report      options of the report (see {@link ReportOptions})
 * @param teacherBank the distilled variants read the teacher's outputs from a bank built once and shared by all
 *                    of them (see {@link TeacherBankConfig}); null: every distilled step runs the teacher
 */
public record ExperimentConfig(String name, String description, TeacherStage teacher, TrainConfig student,
        List<Long> seeds, List<Variant> variants, ReportOptions report, TeacherBankConfig teacherBank) {

    private static final Set<String> KEYS = Set.of("name", "description", "teacher", "student", "seeds", "variants",
            "report", "teacherBank");

    /**
     * @param samples test images shown in the "why soft targets help" and "where the models look" sections
     */
    public record ReportOptions(int samples) {
        public ReportOptions {
            ConfigException.require(samples >= 0 && samples <= 32, "report.samples", samples, "0..32");
        }
    }

    /** A study without a teacher bank. */
    public ExperimentConfig(String name, String description, TeacherStage teacher, TrainConfig student,
            List<Long> seeds, List<Variant> variants, ReportOptions report) {
        this(name, description, teacher, student, seeds, variants, report, null);
    }

    public ExperimentConfig {
        Variant.requireDirectoryName("study", name);
        description = description == null ? "" : description.strip();
        ConfigException.require(teacher != null, "teacher", null, "a teacher stage (train, run, model or torchscript)");
        ConfigException.require(seeds != null && !seeds.isEmpty(), "seeds", seeds, "a non-empty list of seeds");
        ConfigException.require(new HashSet<>(seeds).size() == seeds.size(), "seeds", seeds, "distinct seeds");
        variants = variants == null ? List.of() : variants; // none: the study only trains (or checks) its teacher
        Set<String> names = new HashSet<>();
        for (Variant v : variants) {
            ConfigException.require(names.add(v.name()), "variants", v.name(), "distinct variant names");
            String from = v.teacher() != null ? v.teacher().variant() : null;
            if (from != null && (from.equals(v.name()) || !names.contains(from))) {
                throw new ConfigException("variant " + v.name() + ": teacher: {variant: " + from + "} must name a "
                        + "variant listed before it (its students are trained first, one per seed); variants before "
                        + "it: " + (names.size() == 1 ? "none" : String.join(", ", variants.stream()
                                .map(Variant::name).takeWhile(n -> !n.equals(v.name())).toList())));
            }
        }
        for (Variant v : variants) {
            Integer k = v.teacher() != null ? v.teacher().member() : null;
            if (k != null && (teacher.members() == null || k > teacher.members())) {
                throw new ConfigException("variant " + v.name() + ": teacher: {member: " + k + "} names a member of the "
                        + "ensemble the study trains, but the study's teacher " + (teacher.members() == null
                                ? "is not one (give it train: {...} and members: N)"
                                : "has " + teacher.members() + " members"));
            }
        }
        ConfigException.require(teacher.member() == null, "teacher.member", teacher.member(),
                "only a variant's own teacher may be a member; the study's teacher trains them with members: N");
        ConfigException.require(teacher.variant() == null, "teacher.variant", teacher.variant(),
                "only a variant's own teacher may be another variant; the study's teacher is a train, run, model, "
                        + "torchscript or ensemble");
        seeds = List.copyOf(seeds);
        variants = List.copyOf(variants);
        report = report == null ? new ReportOptions(4) : report;
    }

    /** Reads and validates an experiment file; relative paths are taken from the file's directory. */
    public static ExperimentConfig load(Path file) {
        Map<String, Object> raw = readMap(file);
        try {
            return parse(raw, file.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** The top-level map of an experiment file, with a message for a missing or empty file. */
    static Map<String, Object> readMap(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("experiment file " + file + " does not exist");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = Json.readYaml(file, Map.class);
        if (raw == null) {
            throw new ConfigException("experiment file " + file + " is empty");
        }
        return raw;
    }

    /** Builds an experiment from a parsed YAML map; {@code base} resolves relative paths. */
    public static ExperimentConfig parse(Map<String, Object> raw, Path base) {
        checkKeys("experiment", raw, KEYS);
        Map<String, Object> studentMap = section(raw, "student");
        TrainConfig student = Overrides.apply(TrainConfig.defaults(), resolveDataDir(studentMap, base));
        TeacherStage teacher = parseTeacher(section(raw, "teacher"), base);

        List<Long> seeds = new ArrayList<>();
        Object rawSeeds = raw.get("seeds");
        if (rawSeeds instanceof List<?> list) {
            for (Object s : list) {
                if (!(s instanceof Number n)) {
                    throw new ConfigException("seeds: '" + s + "' is not an integer");
                }
                seeds.add(n.longValue());
            }
        } else if (rawSeeds instanceof Number n) {
            seeds.add(n.longValue());
        } else if (rawSeeds == null) {
            seeds.add(student.seed());
        } else {
            throw new ConfigException("seeds: expected a list of integers, got '" + rawSeeds + "'");
        }

        List<Variant> variants = new ArrayList<>();
        Object rawVariants = raw.getOrDefault("variants", List.of());
        if (!(rawVariants instanceof List<?> list)) {
            throw new ConfigException("variants: expected a list of {name, method, student} entries");
        }
        for (Object o : list) {
            variants.add(parseVariant(o, student, base));
        }
        Map<String, Object> reportMap = section(raw, "report");
        checkKeys("report", reportMap, Set.of("samples"));
        ReportOptions report = new ReportOptions(((Number) reportMap.getOrDefault("samples", 4)).intValue());
        return new ExperimentConfig(str(raw.get("name")), str(raw.get("description")), teacher, student, seeds,
                variants, report, parseBank(raw.get("teacherBank")));
    }

    /** A map of {@link TeacherBankConfig} keys (views defaults to 1, seed to 0, precision to fp16), or off. */
    private static TeacherBankConfig parseBank(Object o) {
        if (o == null || Boolean.FALSE.equals(o) || "off".equals(o)) {
            return null;
        }
        if (!(o instanceof Map<?, ?>)) {
            throw new ConfigException("teacherBank: expected a map {views, seed, precision, maxGB} or off, got '" + o + "'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) o);
        checkKeys("teacherBank", m, Set.of("views", "seed", "precision", "maxGB"));
        return Overrides.apply(new TeacherBankConfig(1, 0, TeacherBankConfig.FP16), m);
    }

    /** The same study with the teacher run online in every step (the command line's --online). */
    public ExperimentConfig online() {
        return new ExperimentConfig(name, description, teacher, student, seeds, variants, report, null);
    }

    /** The same study reading its datasets from {@code dataDir} (the command line's --data-dir). */
    public ExperimentConfig withDataDir(Path dataDir) {
        TeacherStage t = teacher.train() == null ? teacher : teacher.withTrain(teacher.train().withDataDir(dataDir));
        List<Variant> vs = variants.stream()
                .map(v -> new Variant(v.name(), v.method(), v.student().withDataDir(dataDir), v.teacher())).toList();
        return new ExperimentConfig(name, description, t, student.withDataDir(dataDir), seeds, vs, report,
                teacherBank);
    }

    /**
     * A variant's born-again generation: 0 unless its teacher is another variant's student, else one more than that
     * variant's (a chain student-only, kd from it, kd from that is generations 0, 1, 2).
     */
    public int generation(Variant v) {
        int g = 0;
        while (v != null && v.bornAgain()) {
            v = variant(v.teacher().variant());
            g++;
        }
        return g;
    }

    /** The variant named {@code name}, or null. */
    public Variant variant(String name) {
        return variants.stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
    }

    /** The training configuration of one student run: the variant's, with the run's seed. */
    public TrainConfig studentConfig(Variant v, long seed) {
        return Overrides.apply(v.student(), Map.of("seed", seed));
    }

    private static TeacherStage parseTeacher(Map<String, Object> m, Path base) {
        checkKeys("teacher", m, Set.of("train", "run", "model", "torchscript", "sha256", "ensemble", "variant",
                "members", "member"));
        TrainConfig train = null;
        if (m.get("train") != null) {
            train = Overrides.apply(TrainConfig.defaults(), resolveDataDir(section(m, "train"), base));
        }
        return new TeacherStage(train, resolvePath(m.get("run"), base), resolvePath(m.get("model"), base),
                resolvePath(m.get("torchscript"), base), str(m.get("sha256")), resolvePath(m.get("ensemble"), base),
                str(m.get("variant")), integer(m, "members"), integer(m, "member"));
    }

    private static Variant parseVariant(Object o, TrainConfig student, Path base) {
        if (!(o instanceof Map<?, ?> raw)) {
            throw new ConfigException("variants: each entry must be a map {name, method, student}, got '" + o + "'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) raw;
        checkKeys("variant", m, Set.of("name", "method", "student", "teacher"));
        String name = str(m.get("name"));
        MethodConfig method;
        try {
            method = Methods.parse(m.get("method"));
        } catch (ConfigException e) {
            throw new ConfigException("variant " + name + ": " + e.getMessage());
        }
        TrainConfig s = m.get("student") == null ? student
                : Overrides.apply(student, resolveDataDir(section(m, "student"), base));
        try {
            TeacherStage teacher = m.get("teacher") == null ? null : parseTeacher(section(m, "teacher"), base);
            return new Variant(name, method, s, teacher);
        } catch (ConfigException e) {
            throw new ConfigException("variant " + name + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> raw, String key) {
        Object o = raw.get(key);
        if (o == null) {
            return new LinkedHashMap<>();
        }
        if (!(o instanceof Map<?, ?>)) {
            throw new ConfigException(key + ": expected a map of keys, got '" + o + "'");
        }
        return new LinkedHashMap<>((Map<String, Object>) o);
    }

    private static void checkKeys(String where, Map<String, Object> m, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(where + ": unknown key '" + k + "'; allowed keys: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /**
     * Resolves a relative dataDir against the file's folder, and turns {@code dataset: {folder: PATH}} (your own
     * images) into {@code dataset: folder, dataDir: PATH}.
     */
    private static Map<String, Object> resolveDataDir(Map<String, Object> m, Path base) {
        if (m.get("dataset") instanceof Map<?, ?> d) {
            if (d.size() != 1 || !(d.get("folder") instanceof String folder)) {
                throw new ConfigException("dataset: " + d + " is not a data set; give a name (cifar10, cifar100, "
                        + "fashion-mnist, synthetic) or {folder: PATH} for your own images");
            }
            if (m.containsKey("dataDir")) {
                throw new ConfigException("dataset: {folder: " + folder + "} already names the folder; drop dataDir");
            }
            m.put("dataset", "folder");
            m.put("dataDir", folder);
        }
        if (m.get("dataDir") instanceof String d) {
            m.put("dataDir", base.resolve(d).normalize().toString());
        }
        return m;
    }

    private static String resolvePath(Object p, Path base) {
        return p == null ? null : base.resolve(p.toString()).normalize().toString();
    }

    private static Integer integer(Map<String, Object> m, String key) {
        Object o = m.get(key);
        if (o == null) {
            return null;
        }
        if (!(o instanceof Integer i)) {
            throw new ConfigException("teacher: " + key + ": expected a whole number, got '" + o + "'");
        }
        return i;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
