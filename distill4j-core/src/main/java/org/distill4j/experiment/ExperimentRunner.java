package org.distill4j.experiment;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.DistillationRun;
import org.distill4j.distill.EnsembleTeacher;
import org.distill4j.distill.Methods;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.ModelReport;
import org.distill4j.eval.Speed;
import org.distill4j.model.SavedModel;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.Json;
import org.distill4j.run.RunLock;
import org.distill4j.train.CheckpointPolicy;
import org.distill4j.train.Devices;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;

/**
 * {@code distill4j run EXPERIMENT.yaml} as a function: the teacher stage, then every variant over every seed,
 * each a run directory under DIR/students. Rerunning is cheap and safe: a finished run with the same resolved
 * configuration (and the same teacher) is reused, an interrupted one resumes from its last checkpoint, and a
 * run whose configuration changed is moved aside (never deleted) and trained again. A run that fails is
 * recorded in status.json with its error and the study goes on.
 */
public final class ExperimentRunner {
    /** The file in a distilled run's directory naming the teacher (SHA-256 of its parameters) it learned from. */
    static final String TEACHER_MARKER = "teacher.sha256";

    /** Where progress goes: one listener per run (a progress bar), and messages about the study. */
    public interface Listener {
        TrainListener run(String label);

        void message(String text);

        Listener QUIET = new Listener() {
            @Override
            public TrainListener run(String label) {
                return TrainListener.NONE;
            }

            @Override
            public void message(String text) {}
        };
    }

    enum Decision { REUSE, RESUME, FRESH }

    private final ExperimentConfig config;
    private final ExperimentLayout layout;
    private final Listener listener;
    private final Map<String, DataSplit> data = new HashMap<>();
    private final CheckpointPolicy checkpoint;
    private final Map<String, Path> variantTeachers = new HashMap<>(); // variant -> its own teacher, checked
    private final Map<Path, String> fingerprints = new HashMap<>(); // a variant teacher's, hashed once
    private BankPlan bankPlan = BankPlan.none();

    private ExperimentRunner(ExperimentConfig config, Path out, Listener listener, CheckpointPolicy checkpoint) {
        this.config = config;
        this.layout = new ExperimentLayout(out.toAbsolutePath().normalize());
        this.listener = listener;
        this.checkpoint = checkpoint;
    }

    /**
     * Runs (or completes) the study in {@code out} and returns what it produced. Errors of the teacher stage end
     * the study (there is nothing to distil from); errors of a student run are recorded and the study goes on.
     */
    public static ExperimentResults run(ExperimentConfig config, Path out, Listener listener) throws IOException {
        return run(config, out, listener, CheckpointPolicy.DEFAULT);
    }

    /**
     * @param checkpoint when runs write checkpoints inside an epoch
     * @throws RunLock.HeldException when another live process is running the study in {@code out}
     */
    public static ExperimentResults run(ExperimentConfig config, Path out, Listener listener,
            CheckpointPolicy checkpoint) throws IOException {
        ExperimentRunner runner = new ExperimentRunner(config, out, listener, checkpoint);
        try (RunLock lock = RunLock.acquire(runner.layout.root(), "study run " + config.name())) {
            lock.reportStale(listener::message);
            AtomicFiles.removeStaleTemporaries(runner.layout.root());
            return runner.run();
        }
    }

    private ExperimentResults run() throws IOException {
        Files.createDirectories(layout.root());
        Json.writeYaml(layout.experimentFile(), config);
        ExperimentStatus previous = Files.isRegularFile(layout.status()) ? readStatus() : null;

        Path teacherModel = teacherStage();
        String teacherSha = Teacher.fingerprint(teacherModel);
        String metricsKey = teacherMetricsKey(teacherSha, config.student(), data(config.student()).test());
        if (previous == null || !metricsKey.equals(previous.teacherMetricsKey())
                || !Files.isRegularFile(layout.teacherMetrics())) {
            listener.message("measuring the teacher on the students' test set");
            Json.writeJson(layout.teacherMetrics(), measureTeacher(teacherModel));
        }
        ExperimentStatus status = new ExperimentStatus(teacherSha, metricsKey, null);
        status.write(layout.status());
        bankPlan = BankPlan.of(config, v -> {
            try {
                return teacherOf(v, teacherModel);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, this::data);
        bankPlan.describe().forEach(listener::message);

        measureVariantTeachers(teacherModel);

        int total = config.variants().size() * config.seeds().size();
        int index = 0;
        for (Variant v : config.variants()) {
            for (long seed : config.seeds()) {
                index++;
                String label = String.format(Locale.ROOT, "%s seed %d (%d/%d)", v.name(), seed, index, total);
                long start = System.nanoTime();
                String outcome;
                String error = null;
                try {
                    outcome = student(v, seed, teacherModel, teacherSha, label);
                } catch (Exception e) {
                    outcome = ExperimentStatus.FAILED;
                    error = e.getMessage() != null ? e.getMessage() : e.toString();
                    listener.message("FAILED " + label + ": " + error + " (the study goes on; rerun to retry it)");
                }
                status.runs().add(new ExperimentStatus.Entry(v.name(), seed, outcome, error,
                        (System.nanoTime() - start) / 1e9));
                status.write(layout.status());
            }
        }
        ExperimentResults results = ExperimentResults.load(layout.root());
        try {
            ArchitectureSpeed.measureMissing(layout, results, config.student().device(), listener::message);
        } catch (IOException | RuntimeException e) {
            listener.message("latency and throughput not measured: " + e.getMessage() + " (every run's result is "
                    + "kept; rerun the same command to measure them)");
        }
        return results;
    }

    /** Finds, checks or trains the teacher; returns its saved model directory. */
    private Path teacherStage() throws IOException {
        TeacherStage t = config.teacher();
        Path modelDir = t.modelDir(layout);
        if (t.members() != null) {
            for (int k = 1; k <= t.members(); k++) {
                TrainConfig c = t.memberConfig(k);
                String who = "teacher member " + k + " of " + t.members();
                trainTeacher(c, layout.teacherMember(k), who, org.distill4j.model.ModelSpec.label(c.model(), c.width())
                        + " on " + c.dataset() + ", seed " + c.seed(), who);
            }
            StringBuilder file = new StringBuilder("# written by distill4j run: the members this study trained\nensemble: [");
            for (int k = 1; k <= t.members(); k++) {
                file.append(k > 1 ? ", " : "").append(layout.teacherMember(k).getFileName());
            }
            file.append("]\ncombine: probabilities\ntemperature: 4\nfeatures: 1\n");
            if (!Files.isRegularFile(modelDir) || !Files.readString(modelDir).equals(file.toString())) {
                AtomicFiles.writeString(modelDir, file.toString());
            }
            EnsembleTeacher.Spec spec = EnsembleTeacher.check(modelDir);
            listener.message("teacher: " + spec.describe() + " from " + modelDir);
            return modelDir;
        }
        if (t.train() != null) {
            trainTeacher(t.train(), layout.teacherRun(), "teacher", t.describe(), "teacher " + t.train().model());
            return modelDir;
        }
        return checkGiven(t, "teacher");
    }

    /**
     * Trains, resumes or reuses one teacher the study trains (its teacher, or a member of its ensemble) in {@code dir}.
     * No latency here: the teacher is measured on the students' test set afterwards, speed included.
     */
    private void trainTeacher(TrainConfig c, Path dir, String who, String description, String barLabel)
            throws IOException {
        Decision d = decide(dir, c, null);
        if (d == Decision.REUSE) {
            listener.message(who + ": reusing the finished run " + dir);
            return;
        }
        listener.message(who + ": " + (d == Decision.RESUME ? "resuming " : "") + description);
        TrainingRun.execute(c, c, TrainObjective.forTraining(c), TrainingRun.loadData(c), dir, d == Decision.RESUME,
                checkpoint, listener.run(barLabel), false);
    }

    /** Checks a teacher given as a run, model, TorchScript file or ensemble; returns what Teacher.load reads. */
    private Path checkGiven(TeacherStage t, String who) throws IOException {
        Path modelDir = t.modelDir(layout);
        if (t.member() != null) {
            if (!Files.isRegularFile(modelDir.resolve(SavedModel.PARAMETERS))) {
                throw new ConfigException(who + " is member " + t.member() + " of the study's teacher ensemble, which "
                        + "has not finished (" + modelDir + "): rerun the study");
            }
            listener.message(who + ": member " + t.member() + " of the study's teacher ensemble (" + modelDir + ")");
            return modelDir;
        }
        if (t.run() != null && !Files.isRegularFile(Path.of(t.run()).resolve("metrics.json"))) {
            throw new ConfigException(who + " run " + t.run() + " has not finished (no metrics.json); finish it "
                    + "with `distill4j train --resume --out " + t.run() + "`");
        }
        if (t.ensemble() != null) {
            EnsembleTeacher.Spec spec = EnsembleTeacher.check(modelDir);
            listener.message(who + ": " + spec.describe() + " from " + modelDir);
            return modelDir;
        }
        Path checked;
        if (t.torchscript() != null) {
            checked = modelDir;
            if (!Files.isRegularFile(modelDir)) {
                throw new ConfigException("teacher torchscript " + modelDir + " is missing (a .pt file written by "
                        + "torch.jit; see scripts/torchscript_teacher.py)");
            }
            Teacher.readInfo(modelDir); // the manifest: present and well formed
        } else {
            checked = modelDir.resolve(SavedModel.PARAMETERS);
            if (!Files.isRegularFile(checked) || !Files.isRegularFile(modelDir.resolve(SavedModel.INFO))) {
                throw new ConfigException("teacher model " + modelDir + " is missing (expected " + SavedModel.PARAMETERS
                        + " and " + SavedModel.INFO + ")");
            }
        }
        if (t.sha256() != null) {
            String actual = SavedModel.sha256File(checked);
            if (!actual.equals(t.sha256())) {
                throw new ConfigException("teacher " + (t.torchscript() != null ? "file " : "checkpoint ") + checked
                        + " has SHA-256 " + actual + " but the experiment expects " + t.sha256()
                        + ": the file is damaged or was replaced; restore it (git checkout -- " + modelDir
                        + ") or retrain it with the command in its README");
            }
            listener.message(who + ": loaded " + modelDir + " (SHA-256 checked: " + actual.substring(0, 12) + "…)");
        } else {
            listener.message(who + ": " + t.describe());
        }
        return modelDir;
    }

    /** The teacher variant v distils from: its own (checked once) or the study's. */
    private Path teacherOf(Variant v, Path studyTeacher) throws IOException {
        if (v.teacher() == null) {
            return studyTeacher;
        }
        Path p = variantTeachers.get(v.name());
        if (p == null) {
            p = checkGiven(v.teacher(), "variant " + v.name() + "'s teacher");
            variantTeachers.put(v.name(), p);
        }
        return p;
    }

    /**
     * The model of the earlier variant's student that teaches a born-again variant's run of {@code seed}; fails, naming
     * what to do, when that run has not finished (it failed, or the study was stopped before it).
     */
    private Path bornAgainTeacher(Variant v, long seed) {
        String from = v.teacher().variant();
        Path run = layout.studentRun(from, seed);
        if (!Files.isRegularFile(run.resolve("metrics.json"))) {
            throw new ConfigException("variant " + v.name() + " seed " + seed + " distils from variant " + from
                    + "'s student of seed " + seed + ", which has not finished (" + run + " has no metrics.json; see "
                    + "status.json for its error): rerun the study to train it first");
        }
        return v.teacher().modelDir(layout, seed);
    }

    /** A variant teacher's fingerprint, hashed once per study run rather than once per seed. */
    private String fingerprintOf(Path teacher) throws IOException {
        String sha = fingerprints.get(teacher);
        if (sha == null) {
            sha = Teacher.fingerprint(teacher);
            fingerprints.put(teacher, sha);
        }
        return sha;
    }

    /**
     * Measures each variant's own teacher on the students' test set once (a teacher shared by several variants once
     * for all of them), for the report's teacher rows. A teacher that cannot be read is reported here, and its
     * variant's runs fail on their own while the others go on.
     */
    private void measureVariantTeachers(Path studyTeacher) throws IOException {
        Map<String, Metrics> measured = new HashMap<>();
        for (Variant v : config.variants()) {
            if (v.teacher() == null || v.bornAgain()) {
                continue; // a born-again variant's teachers are rows of the table already
            }
            try {
                Path p = teacherOf(v, studyTeacher);
                String key = teacherMetricsKey(fingerprintOf(p), config.student(), data(config.student()).test());
                Path file = layout.variantTeacherMetrics(v.name());
                Path keyFile = layout.variantTeacherKey(v.name());
                if (Files.isRegularFile(file) && Files.isRegularFile(keyFile)
                        && Files.readString(keyFile).strip().equals(key)) {
                    continue;
                }
                Metrics m = measured.get(key);
                if (m == null) {
                    listener.message("measuring variant " + v.name() + "'s teacher on the students' test set");
                    m = measureTeacher(p);
                    measured.put(key, m);
                }
                Files.createDirectories(file.getParent());
                Json.writeJson(file, m);
                AtomicFiles.writeString(keyFile, key + "\n");
            } catch (IOException | RuntimeException e) {
                listener.message("variant " + v.name() + "'s teacher: " + e.getMessage() + " (its runs will fail; the "
                        + "others go on)");
            }
        }
    }

    private String student(Variant v, long seed, Path studyTeacher, String studySha, String label)
            throws IOException {
        Path teacherModel;
        String teacherSha;
        if (v.bornAgain()) {
            teacherModel = bornAgainTeacher(v, seed);
            teacherSha = Teacher.fingerprint(teacherModel);
        } else {
            teacherModel = teacherOf(v, studyTeacher);
            teacherSha = v.teacher() == null ? studySha : fingerprintOf(teacherModel);
        }
        TrainConfig sc = config.studentConfig(v, seed);
        Path dir = layout.studentRun(v.name(), seed);
        Record runConfig = v.labelsOnly() ? sc
                : new DistillConfig(teacherModel.toString(), sc, v.method(), v.bornAgain() ? null : config.teacherBank());
        String teacherKey = v.labelsOnly() ? null : teacherSha;
        Decision d = decide(dir, runConfig, teacherKey);
        if (d == Decision.REUSE) {
            listener.message("reusing " + label + ": finished in " + dir);
            return ExperimentStatus.REUSED;
        }
        listener.message((d == Decision.RESUME ? "resuming " : "training ") + label + ": " + v.describe());
        boolean resume = d == Decision.RESUME;
        if (teacherKey != null) {
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve(TEACHER_MARKER), teacherKey + "\n");
        }
        DataSplit split = data(sc);
        TrainListener bar = listener.run(label);
        if (v.labelsOnly()) {
            TrainingRun.execute(sc, sc, TrainObjective.forTraining(sc), split, dir, resume, checkpoint, bar, false);
        } else {
            DistillationRun.execute((DistillConfig) runConfig, split, dir, resume, bar, layout.teacherBank(),
                    bankPlan.signalsFor(v.name()), checkpoint, false);
        }
        return resume ? ExperimentStatus.RESUMED : ExperimentStatus.TRAINED;
    }

    /**
     * What to do with a run directory: reuse it (finished, same config, same teacher), resume it (same, with a
     * checkpoint), or train from scratch. A directory holding a different run is moved aside first; one with no
     * checkpoint holds no finished work and is cleared.
     */
    Decision decide(Path dir, Record runConfig, String teacherKey) throws IOException {
        Path configFile = dir.resolve("config.yaml");
        if (!Files.isRegularFile(configFile)) {
            deleteTree(dir);
            return Decision.FRESH;
        }
        boolean same;
        try {
            same = withoutTeacherPath(Json.readYaml(configFile, runConfig.getClass()))
                    .equals(withoutTeacherPath(runConfig));
        } catch (RuntimeException e) {
            same = false;
        }
        if (same && teacherKey != null) {
            Path marker = dir.resolve(TEACHER_MARKER);
            same = Files.isRegularFile(marker) && Files.readString(marker).strip().equals(teacherKey);
        }
        if (!same) {
            Path aside = aside(dir);
            Files.move(dir, aside);
            listener.message(dir + " held a run with another configuration or teacher; moved it to " + aside
                    + " and training again");
            return Decision.FRESH;
        }
        if (Files.isRegularFile(dir.resolve("metrics.json"))) {
            return Decision.REUSE;
        }
        if (Files.isRegularFile(dir.resolve("checkpoints").resolve("last.ckpt"))) {
            return Decision.RESUME;
        }
        deleteTree(dir);
        return Decision.FRESH;
    }

    /**
     * A distilled run's teacher is identified by the SHA-256 of its parameters (the marker file), not by the path
     * it was loaded from: a checkout or a shipped teacher that moved must not make finished runs look different.
     */
    private static Record withoutTeacherPath(Record config) {
        return config instanceof DistillConfig d
                ? new DistillConfig("-", d.student(), Methods.resolve(d.method()), d.teacherBank()) : config;
    }

    private Metrics measureTeacher(Path modelDir) throws IOException {
        TrainConfig s = config.student();
        DataSplit split = data(s);
        if (Teacher.isFile(modelDir)) {
            return measureLoaded(modelDir, split, s.device());
        }
        Metrics trained = trainingMetrics(modelDir);
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(s.device()))) {
            SavedModel.Loaded model = SavedModel.load(modelDir, manager);
            ModelReport.Result r = ModelReport.measure(model, modelDir, split.test(), manager);
            SavedModel.Info info = model.info();
            return new Metrics(info.model(), r.params(), r.sizeBytes(), r.top1(), r.top1(), r.speed().medianMs(),
                    r.speed().imagesPerSec(), trained != null ? trained.epochs() : 0,
                    trained != null ? trained.trainSeconds() : Double.NaN, info.dataset(), "teacher", info.width(),
                    trained != null ? trained.bestEpoch() : 0, trained != null ? trained.trainImages() : 0,
                    split.test().size(), r.speed().runs(), manager.getDevice().toString()).withOnnx(r.onnxSpeed());
        }
    }

    /**
     * A PyTorch teacher or an ensemble measured as a distill4j one is: accuracy on the students' test set (an
     * ensemble's: of its combined logits), parameters (an ensemble's: its members' sum), file size, libtorch's
     * batch-1 latency and throughput (an ensemble runs every member; no ONNX Runtime figure).
     */
    private static Metrics measureLoaded(Path file, DataSplit split, String device) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device));
                Teacher teacher = Teacher.load(file, manager)) {
            SavedModel.Info info = teacher.info();
            double top1 = Accuracy.top1(teacher::logits, split.test(), info.mean(), info.std(),
                    ModelReport.THROUGHPUT_BATCH, manager);
            Speed.Result speed = Speed.measure(x -> teacher.logits(x).toFloatArray(), manager, info.channels(),
                    info.height(), info.imageWidth(), ModelReport.LATENCY_WARMUP, ModelReport.LATENCY_RUNS,
                    ModelReport.THROUGHPUT_BATCH);
            return new Metrics(info.model(), teacher.parameters(), Teacher.fileBytes(file), top1, top1, speed.medianMs(),
                    speed.imagesPerSec(), 0, Double.NaN, info.dataset(), "teacher", 0, 0, 0, split.test().size(),
                    speed.runs(), manager.getDevice().toString());
        }
    }

    /** The teacher's own metrics.json, beside its model directory (a run) or inside it (a shipped checkpoint). */
    static Metrics trainingMetrics(Path modelDir) {
        for (Path p : new Path[] {modelDir.resolve("metrics.json"), modelDir.toAbsolutePath().getParent().resolve("metrics.json")}) {
            if (Files.isRegularFile(p)) {
                return Json.readJson(p, Metrics.class);
            }
        }
        return null;
    }

    private DataSplit data(TrainConfig c) {
        return data.computeIfAbsent(dataKey(c), k -> TrainingRun.loadData(c));
    }

    /**
     * What teacher-metrics.json depends on: the teacher and the test images by content (not by the data
     * directory's path, so a study copied to another machine or home keeps its teacher's measurement).
     */
    static String teacherMetricsKey(String teacherSha, TrainConfig student, ImageDataset test) {
        return teacherSha + "|" + student.dataset() + "|test " + test.sha256() + "|" + student.device();
    }

    private static String dataKey(TrainConfig c) {
        return c.dataset() + "|" + c.dataPath() + "|" + c.trainSubset() + "|" + c.testSubset() + "|" + c.dataOptions();
    }

    private ExperimentStatus readStatus() {
        try {
            return ExperimentStatus.read(layout.status());
        } catch (RuntimeException e) {
            return null; // unreadable: every decision is taken again from the run directories themselves
        }
    }

    private static Path aside(Path dir) {
        for (int n = 1; ; n++) {
            Path p = dir.resolveSibling(dir.getFileName() + ".replaced-" + n);
            if (!Files.exists(p)) {
                return p;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
