package org.distill4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.DistillationRun;
import org.distill4j.distill.Methods;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Metrics;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;
import org.distill4j.train.ProgressBar;
import org.distill4j.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill4j distill}: trains a student from a trained teacher with a distillation method. */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Distil a student from a trained teacher with a method, a weighted sum of loss terms. "
                + "--method picks a preset (`distill4j methods` lists them and their terms); --set KEY=VALUE "
                + "overrides one of its options (e.g. igSteps=8, at.stages=[1,2,3], kd.weight=0.5); a --config file's "
                + "method: may also be an explicit list {name: NAME, terms: [{term: ce, weight: 1}, ...]}.")
public final class DistillCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML file with keys teacher, student: {...}, method: {...}; "
            + "command-line options override it.")
    Path configFile;
    @Option(names = "--teacher", description = "The trained teacher: a `distill4j train` run directory, a saved "
            + "model directory such as teachers/fashion-mnist-resnet50-cbam-w16, or a PyTorch teacher as TorchScript "
            + "(NAME.pt with its manifest NAME.json, as scripts/torchscript_teacher.py writes them), or an ensemble of "
            + "teachers taught as one (NAME.ensemble.yaml: ensemble: [TEACHER, ...], combine: probabilities|logits, "
            + "temperature: T, features: N|mean).")
    String teacher;
    @Option(names = "--student", description = "Student architecture, any model of the zoo (`distill4j models`; "
            + "default resnet18).")
    String student;
    @Mixin
    TrainOptions options = new TrainOptions();
    @Option(names = "--method", description = "Preset: ${COMPLETION-CANDIDATES} (default seed).",
            completionCandidates = MethodNames.class)
    String method;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override an option of the method: a key of "
            + "the one term that has it (igSteps=8), or TERM.KEY (at.stages=[1,2,3]), or TERM.weight=W. VALUE is read "
            + "as YAML: 4, 0.5, true, [1,2,3]. Repeatable.")
    List<String> sets = new java.util.ArrayList<>();
    @Option(names = "--bank-views", description = "Precompute the teacher's outputs for K augmented views per image "
            + "(a teacher bank) instead of running it every step; K = epochs is exactly online distillation.")
    Integer bankViews;
    @Option(names = "--bank-seed", description = "Seed of the bank's crops and flips (default 0).") Long bankSeed;
    @Option(names = "--bank-precision", description = "fp16 (default) or fp32.") String bankPrecision;
    @Option(names = "--bank-dir", description = "Where the bank is kept and reused (default RUN/teacher-bank).")
    Path bankDir;
    @Option(names = "--out", description = "Run directory (default runs/<student>-w<width>-<dataset>-<method>-s<seed>).")
    Path out;
    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (the same command "
            + "without --resume does too; --resume also lets --epochs, --device and --data-dir change).")
    boolean resume;
    @picocli.CommandLine.Mixin
    CheckpointOption checkpoint = new CheckpointOption();

    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Methods.names().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        DistillConfig config;
        Path dir = out;
        if (resume) {
            if (dir == null) {
                throw new ConfigException("--resume needs --out RUN_DIRECTORY");
            }
            DistillConfig stored = Json.readYaml(RunDirectory.open(dir).config(), DistillConfig.class);
            config = resolve(stored.teacher(), stored.student(), Methods.resolve(stored.method()), stored.teacherBank());
            java.util.Set<String> methodChanges = new java.util.TreeSet<>();
            if (!Methods.resolve(stored.method()).equals(config.method())) {
                methodChanges.add("method (" + String.join(" ", sets) + ")");
            }
            if (method != null && !method.equals(stored.method().name())) {
                methodChanges.add("--method");
            }
            if (teacher != null && !teacher.equals(stored.teacher())) {
                methodChanges.add("teacher");
            }
            TrainOptions.requireResumable(stored.student(), config.student(), methodChanges);
        } else {
            Map<String, Object> file = configFile == null ? Map.of() : TrainCommand.readYamlMap(configFile);
            String teacherRun = teacher != null ? teacher : (String) file.get("teacher");
            if (teacherRun == null) {
                throw new ConfigException("--teacher RUN is required: the run directory of a trained teacher");
            }
            for (String key : file.keySet()) {
                if (!List.of("teacher", "student", "method", "teacherBank").contains(key)) {
                    throw new ConfigException(configFile + ": unknown key '" + key
                            + "'; allowed keys: method, student, teacher, teacherBank");
                }
            }
            TrainConfig studentBase = Overrides.apply(TrainConfig.defaults(),
                    Map.of("dataset", teacherDataset(teacherRun)));
            studentBase = Overrides.apply(studentBase, section(file, "student"));
            Object methodFile = file.get("method");
            MethodConfig methodBase = method != null ? Methods.preset(method)
                    : Methods.parse(methodFile != null ? methodFile : "seed");
            String preset = methodBase.name();
            TeacherBankConfig bank = null;
            Map<String, Object> bankFile = section(file, "teacherBank");
            if (!bankFile.isEmpty() || bankViews != null) {
                Map<String, Object> b = new LinkedHashMap<>(bankFile);
                TrainOptions.put(b, "views", bankViews);
                TrainOptions.put(b, "seed", bankSeed);
                TrainOptions.put(b, "precision", bankPrecision);
                bank = Overrides.apply(new TeacherBankConfig(1, 0, TeacherBankConfig.FP16), b);
            } else if (bankSeed != null || bankPrecision != null || bankDir != null) {
                throw new ConfigException("--bank-seed, --bank-precision and --bank-dir need --bank-views K");
            }
            config = resolve(teacherRun, studentBase, methodBase, bank);
            if (dir == null) {
                TrainConfig s = config.student();
                dir = Path.of("runs", s.model() + (s.width() > 0 ? "-w" + s.width() : "") + "-" + s.dataset() + "-" + preset
                        + "-s" + s.seed());
            }
            RunDirectory existing = new RunDirectory(dir);
            if (java.nio.file.Files.isRegularFile(existing.config())) {
                if (TrainOptions.alreadyFinished(existing, differences(existing, config))) {
                    return 0;
                }
                resume = true;
            }
        }
        System.err.println("distill4j distill -> " + dir);
        Metrics m;
        // locked before the data are read, so that a second writer is stopped at once (held again while training)
        try (org.distill4j.run.RunLock lock = org.distill4j.run.RunLock.acquire(dir, "distill")) {
            m = DistillationRun.execute(config, TrainingRun.loadData(config.student()), dir, resume,
                    ProgressBar.onStderr("[" + config.student().model() + " " + config.method().name() + "]"), bankDir,
                    null, checkpoint.policy()).metrics();
        }
        System.out.println(TrainCommand.summary(m, dir));
        System.out.println("method: " + m.method());
        return 0;
    }

    /** What differs between the distilled run stored in {@code dir} and {@code config}. */
    private static java.util.Set<String> differences(RunDirectory dir, DistillConfig config) {
        if (!TrainCommand.readYamlMap(dir.config()).containsKey("student")) {
            return java.util.Set.of("teacher and method (it is a run of `distill4j train`)");
        }
        DistillConfig stored = Json.readYaml(dir.config(), DistillConfig.class);
        java.util.Set<String> changed = new java.util.TreeSet<>(
                Overrides.differences(stored.student(), config.student()).keySet());
        if (!java.util.Objects.equals(stored.teacher(), config.teacher())) {
            changed.add("teacher");
        }
        if (!Methods.resolve(stored.method()).equals(config.method())) {
            changed.add("method");
        }
        if (!java.util.Objects.equals(stored.teacherBank(), config.teacherBank())) {
            changed.add("teacherBank");
        }
        return changed;
    }

    private DistillConfig resolve(String teacherRun, TrainConfig studentBase, MethodConfig methodBase,
            TeacherBankConfig bank) {
        Map<String, Object> s = new LinkedHashMap<>();
        TrainOptions.put(s, "model", student);
        s.putAll(options.overrides());
        return new DistillConfig(teacherRun, Overrides.apply(studentBase, s),
                Methods.withOverrides(methodBase, methodOverrides()), bank);
    }

    /** --set KEY=VALUE pairs, each VALUE read as YAML. */
    private Map<String, Object> methodOverrides() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + kv + ": expected KEY=VALUE, e.g. --set igSteps=8 or "
                        + "--set at.stages=[1,2,3]");
            }
            m.put(kv.substring(0, eq).strip(), Json.parseYamlValue(kv.substring(eq + 1).strip()));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> file, String key) {
        Object v = file.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw new ConfigException("'" + key + "' in the config file must be a mapping of keys to values");
        }
        return (Map<String, Object>) v;
    }

    private static String teacherDataset(String teacherRun) {
        Path path = Path.of(teacherRun);
        if (Teacher.isFile(path)) {
            try {
                return Teacher.readInfo(path).dataset();
            } catch (IOException e) {
                throw new ConfigException("--teacher " + teacherRun + ": " + e.getMessage());
            }
        }
        Path info = SavedModel.modelDir(path).resolve(SavedModel.INFO);
        if (!java.nio.file.Files.isRegularFile(info)) {
            throw new ConfigException("--teacher " + teacherRun + ": no trained model there (" + info
                    + " is missing); pass a finished `distill4j train` run, a saved model directory (one "
                    + "holding " + SavedModel.INFO + ") or a TorchScript teacher (NAME.pt with NAME.json), or train "
                    + "the teacher first with `distill4j train --out " + teacherRun + "`");
        }
        return Json.readJson(info, SavedModel.Info.class).dataset();
    }
}
