package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.distill4j.config.ConfigException;
import org.distill4j.model.Features;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;

/**
 * Several trained teachers taught as one (Hinton, Vinyals and Dean 2015: an ensemble's knowledge in one model).
 * Its soft targets are the members' combined: by default the mean of their probabilities at temperature T, given
 * as the logits {@code T * log(mean_i softmax(z_i / T))}, whose softmax at T is exactly that mean; or the mean of
 * their logits. Its feature signals (stage outputs, attention maps, pooled embedding, blocks, causal masks) come
 * from one named member, or are the members' mean where every member's has the same shape.
 *
 * <p>Described by a file {@code NAME.ensemble.yaml}:
 * <pre>
 * ensemble: [runs/teacher-1, runs/teacher-2, teachers/other.pt]   # runs, model directories, TorchScript files
 * combine: probabilities      # or logits
 * temperature: 4              # of the probabilities' mean; the KD term's temperature should be the same
 * features: 1                 # the member (1-based) whose feature signals are taught, or mean
 * </pre>
 * Relative member paths are taken from the file's folder. The ensemble's accuracy is that of its combined logits.
 */
public final class EnsembleTeacher implements Teacher.Body, AutoCloseable {
    /** The file name ending that marks an ensemble description. */
    public static final String SUFFIX = ".ensemble.yaml";
    public static final String PROBABILITIES = "probabilities";
    public static final String LOGITS = "logits";
    public static final String MEAN = "mean";
    private static final Set<String> KEYS = Set.of("ensemble", "combine", "temperature", "features");

    /**
     * What an ensemble file says, its member paths resolved.
     *
     * @param members     two or more teacher paths
     * @param combine     {@link #PROBABILITIES} or {@link #LOGITS}
     * @param temperature T of the probabilities' mean (ignored for logits)
     * @param features    the 1-based member whose feature signals are taught, or 0 for their mean
     */
    public record Spec(List<Path> members, String combine, double temperature, int features) {
        public Spec {
            ConfigException.require(members != null && members.size() >= 2, "ensemble", members,
                    "a list of two or more teachers");
            members = List.copyOf(members);
            ConfigException.require(PROBABILITIES.equals(combine) || LOGITS.equals(combine), "combine", combine,
                    PROBABILITIES + " or " + LOGITS);
            ConfigException.require(temperature > 0 && Double.isFinite(temperature), "temperature", temperature, "> 0");
            ConfigException.require(features >= 0 && features <= members.size(), "features", features,
                    "a member's number, 1.." + members.size() + ", or " + MEAN);
        }

        /** "ensemble of 3 (mean probabilities at T=4; features: member 1)". */
        public String describe() {
            String how = PROBABILITIES.equals(combine)
                    ? String.format(Locale.ROOT, "mean probabilities at T=%s", trim(temperature)) : "mean logits";
            return "ensemble of " + members.size() + " (" + how + "; features: "
                    + (features == 0 ? "members' mean" : "member " + features) + ")";
        }
    }

    private final Spec spec;
    private final List<Teacher> members;
    private final Teacher featureMember; // null: the members' mean

    private EnsembleTeacher(Spec spec, List<Teacher> members) {
        this.spec = spec;
        this.members = List.copyOf(members);
        this.featureMember = spec.features() == 0 ? null : members.get(spec.features() - 1);
    }

    /** Whether {@code path} names an ensemble description. */
    public static boolean isEnsemble(Path path) {
        return path.getFileName() != null && path.getFileName().toString().endsWith(SUFFIX);
    }

    /** Reads and checks an ensemble file; relative member paths are taken from its folder. */
    public static Spec readSpec(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such ensemble file");
        }
        Object raw;
        try {
            raw = Json.readYaml(file, Object.class);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not readable YAML (" + e.getMessage() + ")", e);
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new IOException(file + ": expected a map with ensemble (a list of teachers), combine, temperature, "
                    + "features");
        }
        try {
            return parse(m, file.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    static Spec parse(Map<?, ?> m, Path base) {
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new ConfigException("unknown key '" + k + "'; allowed keys: " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        if (!(m.get("ensemble") instanceof List<?> list)) {
            throw new ConfigException("ensemble: expected a list of two or more teachers (runs, model directories or "
                    + ".pt files), got '" + m.get("ensemble") + "'");
        }
        List<Path> members = new ArrayList<>();
        for (Object o : list) {
            Path p = Path.of(String.valueOf(o));
            if (isEnsemble(p)) {
                throw new ConfigException("ensemble: member " + o + " is itself an ensemble; list its members instead");
            }
            members.add(base.resolve(p).normalize());
        }
        String combine = String.valueOf(m.containsKey("combine") ? m.get("combine") : PROBABILITIES);
        Object t = m.containsKey("temperature") ? m.get("temperature") : 4;
        if (!(t instanceof Number temperature)) {
            throw new ConfigException("temperature: expected a number, got '" + t + "'");
        }
        Object f = m.containsKey("features") ? m.get("features") : 1;
        int features;
        if (MEAN.equals(f)) {
            features = 0;
        } else if (f instanceof Integer i) {
            ConfigException.require(i >= 1, "features", f, "a member's number, 1.." + members.size() + ", or " + MEAN);
            features = i;
        } else {
            throw new ConfigException("features: expected a member's number (1.." + members.size() + ") or mean, got '"
                    + f + "'");
        }
        return new Spec(members, combine, temperature.doubleValue(), features);
    }

    /**
     * Loads every member, checks they agree on what they classify and take (classes, class names, input), and,
     * for {@code features: mean}, that their feature shapes agree.
     */
    public static EnsembleTeacher load(Path file, NDManager manager) throws IOException {
        Spec spec = readSpec(file);
        List<Teacher> members = new ArrayList<>();
        try {
            SavedModel.Info first = null;
            for (Path p : spec.members()) {
                Teacher t = Teacher.load(p, manager);
                members.add(t);
                if (first == null) {
                    first = t.info();
                } else {
                    checkAgrees(file, spec.members().get(0), first, p, t.info());
                }
                t.inputNormalization(first.mean(), first.std(), manager); // the ensemble takes member 1's input
            }
            EnsembleTeacher ensemble = new EnsembleTeacher(spec, members);
            if (spec.features() == 0) {
                ensemble.checkMeanShapes(file, manager, first);
            }
            return ensemble;
        } catch (IOException | RuntimeException e) {
            members.forEach(Teacher::close);
            throw e;
        }
    }

    private static void checkAgrees(Path file, Path firstPath, SavedModel.Info a, Path path, SavedModel.Info b) {
        List<String> differ = new ArrayList<>();
        if (a.numClasses() != b.numClasses()) {
            differ.add("classes " + a.numClasses() + " against " + b.numClasses());
        } else if (!a.labels().equals(b.labels())) {
            differ.add("class names " + a.labels() + " against " + b.labels());
        }
        if (a.channels() != b.channels()) {
            differ.add("input channels " + a.channels() + " against " + b.channels());
        }
        if (!differ.isEmpty()) {
            throw new ConfigException(file + ": member " + path + " does not classify what " + firstPath + " does ("
                    + String.join("; ", differ) + "); an ensemble's members must share their classes and input");
        }
    }

    private void checkMeanShapes(Path file, NDManager manager, SavedModel.Info info) {
        List<PairShapes.Net> shapes = new ArrayList<>();
        for (Teacher t : members) {
            shapes.add(t.shapes(manager, info.height(), info.imageWidth()));
        }
        for (int i = 1; i < shapes.size(); i++) {
            PairShapes.Net a = shapes.get(0);
            PairShapes.Net b = shapes.get(i);
            if (!a.stages().equals(b.stages()) || !a.preacts().equals(b.preacts()) || !a.blocks().equals(b.blocks())) {
                throw new ConfigException(file + ": features: mean needs members with the same feature shapes, but "
                        + spec.members().get(i) + " (stages " + b.stages() + ", " + b.blocks().size() + " blocks) differs "
                        + "from " + spec.members().get(0) + " (stages " + a.stages() + ", " + a.blocks().size()
                        + " blocks); name one member instead (features: 1)");
            }
        }
    }

    /**
     * What identifies the ensemble's outputs: its members' fingerprints, in order, and how they are combined (the
     * same members combined otherwise teach something else).
     */
    public static String fingerprint(Path file) throws IOException {
        Spec spec = readSpec(file);
        StringBuilder s = new StringBuilder("ensemble/1|").append(spec.combine()).append('|')
                .append(PROBABILITIES.equals(spec.combine()) ? trim(spec.temperature()) : "-").append('|')
                .append(spec.features());
        for (Path p : spec.members()) {
            s.append('|').append(Teacher.fingerprint(p));
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the file and every member's description: fails, naming the member, if one is missing or unreadable. */
    public static Spec check(Path file) throws IOException {
        Spec spec = readSpec(file);
        for (Path p : spec.members()) {
            try {
                Teacher.readInfo(p);
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + ": member " + p + " cannot be read (" + e.getMessage() + ")", e);
            }
        }
        return spec;
    }

    /** Member 1's description, named after the ensemble; its parameter count is the members' sum. */
    public static SavedModel.Info readInfo(Path file) throws IOException {
        Spec spec = readSpec(file);
        return info(spec, Teacher.readInfo(spec.members().get(0)));
    }

    /** The loaded ensemble's description (as {@link #readInfo}, without reading the files again). */
    public SavedModel.Info info() {
        return info(spec, members.get(0).info());
    }

    private static SavedModel.Info info(Spec spec, SavedModel.Info first) {
        return new SavedModel.Info("ensemble-" + spec.members().size(), 0, first.numClasses(), first.channels(),
                first.height(), first.imageWidth(), first.mean(), first.std(), first.classNames(), first.dataset());
    }

    /**
     * Fails unless every term of {@code method} that softens logits does so at the temperature the members'
     * probabilities were averaged at: at another T the combined logits are not the mean of the members' softened
     * probabilities.
     */
    public void checkTemperatures(org.distill4j.config.MethodConfig method) {
        if (!PROBABILITIES.equals(spec.combine())) {
            return;
        }
        for (org.distill4j.config.TermConfig term : method.terms()) {
            if (term.options().get("temperature") instanceof Number t
                    && Math.abs(t.doubleValue() - spec.temperature()) > 1e-9) {
                throw new ConfigException("the ensemble averages its members' probabilities at T=" + trim(spec.temperature())
                        + " but term " + term.term() + " of method " + method.name() + " softens at T="
                        + trim(t.doubleValue()) + "; set temperature: " + trim(t.doubleValue())
                        + " in the ensemble file (or combine: logits)");
            }
        }
    }

    public Spec spec() {
        return spec;
    }

    public List<Teacher> members() {
        return members;
    }

    /** The members' logits combined as the spec says. */
    NDArray combine(List<NDArray> logits) {
        NDArray stacked = NDArrays.stack(new NDList(logits)); // (N, B, K)
        if (LOGITS.equals(spec.combine())) {
            return stacked.mean(new int[] {0});
        }
        float t = (float) spec.temperature();
        return stacked.div(t).logSoftmax(2).exp().mean(new int[] {0}).log().mul(t);
    }

    @Override
    public Features features(NDArray x) {
        List<Features> fs = new ArrayList<>(members.size());
        for (Teacher t : members) {
            fs.add(t.featuresOf(x));
        }
        NDArray logits = combine(fs.stream().map(Features::logits).toList());
        if (featureMember != null) {
            Features f = fs.get(spec.features() - 1);
            return new Features(logits, f.stages(), f.preacts(), f.pooled(), f.blocks(), f.stem());
        }
        return new Features(logits, meanEach(fs, Features::stages), meanEach(fs, Features::preacts),
                mean(fs, Features::pooled), meanEach(fs, Features::blocks), mean(fs, Features::stem));
    }

    private static NDArray mean(List<Features> fs, Function<Features, NDArray> part) {
        if (part.apply(fs.get(0)) == null) {
            return null;
        }
        NDList all = new NDList();
        for (Features f : fs) {
            all.add(part.apply(f));
        }
        return NDArrays.stack(all).mean(new int[] {0});
    }

    private static List<NDArray> meanEach(List<Features> fs, Function<Features, List<NDArray>> part) {
        int n = fs.stream().mapToInt(f -> part.apply(f).size()).min().orElse(0);
        List<NDArray> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int k = i;
            out.add(mean(fs, f -> part.apply(f).get(k)));
        }
        return out;
    }

    @Override
    public NDArray tail(NDArray stageOutput, int stage) {
        if (featureMember == null) {
            throw new IllegalStateException(lacks(new Signal.Mask(stage, 1, 0)));
        }
        return featureMember.tailOf(stageOutput, stage);
    }

    @Override
    public int stageCount() {
        return (featureMember != null ? featureMember : members.get(0)).stageCount();
    }

    @Override
    public long parameters() {
        return members.stream().mapToLong(Teacher::parameters).sum();
    }

    @Override
    public String lacks(Signal signal) {
        if (featureMember != null) {
            return signal instanceof Signal.Logits ? null : featureMember.lacksOf(signal);
        }
        if (signal instanceof Signal.Mask) {
            return "an ensemble teaching its members' mean features has no single network for Integrated Gradients to "
                    + "explain; name one member with features: N";
        }
        for (Teacher t : members) {
            String why = t.lacksOf(signal);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    @Override
    public void close() {
        members.forEach(Teacher::close);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** For messages and tests: each member's name. */
    public List<String> memberNames() {
        return members.stream().map(Teacher::name).toList();
    }

}
