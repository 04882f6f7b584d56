package org.distill4j.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.distill4j.eval.Metrics;
import org.distill4j.run.Json;

/**
 * What an experiment produced, read back from its directory: the teacher's figures and, per variant, one
 * entry per seed (finished with its metrics, or failed with its error). The report is built from this alone.
 *
 * @param layout      where the experiment lives
 * @param config      the experiment as run (experiment.yaml)
 * @param teacher     the teacher measured on the students' test set; null if the teacher stage failed
 * @param teacherRun  the teacher's training run directory (for a shipped model directory that kept its run's
 *                    files, that directory), or null; its history.csv feeds the accuracy-per-epoch plot
 * @param teacherModel the teacher's saved model directory (parameters.bin, model.json)
 * @param variants    in the order of the experiment file
 */
public record ExperimentResults(ExperimentLayout layout, ExperimentConfig config, Metrics teacher, Path teacherRun,
        Path teacherModel, List<VariantResult> variants) {

    /**
     * @param name   the variant's name in the experiment file (e.g. student-only, kd, seed)
     * @param method the resolved method, as Methods.describe states it
     * @param runs   one per seed, in the order of the experiment's seeds
     * @param teacher the variant's own teacher measured on the test set, or null: the study's teacher
     */
    public record VariantResult(String name, String method, List<SeedRun> runs, Metrics teacher) {
        public List<Metrics> finished() {
            return runs.stream().filter(r -> r.metrics() != null).map(SeedRun::metrics).toList();
        }
    }

    /**
     * @param seed    the run's seed
     * @param dir     its run directory (config.yaml, provenance.json, history.csv, metrics.json, model/)
     * @param metrics its metrics.json, or null if it failed or has not finished
     * @param error   why it failed, or null
     */
    public record SeedRun(long seed, Path dir, Metrics metrics, String error) {}

    /** Reads an experiment directory written by {@link ExperimentRunner}. */
    public static ExperimentResults load(Path dir) {
        ExperimentLayout layout = new ExperimentLayout(dir);
        if (!Files.isRegularFile(layout.experimentFile())) {
            throw new IllegalArgumentException(dir + " is not an experiment directory (no experiment.yaml); "
                    + "pass the --out directory of `distill4j run`");
        }
        ExperimentConfig config = ExperimentConfig.load(layout.experimentFile());
        Map<String, String> errors = Files.isRegularFile(layout.status())
                ? ExperimentStatus.read(layout.status()).errorsByRun() : Map.of();
        Metrics teacher = Files.isRegularFile(layout.teacherMetrics())
                ? Json.readJson(layout.teacherMetrics(), Metrics.class) : null;
        List<VariantResult> variants = new ArrayList<>();
        for (Variant v : config.variants()) {
            List<SeedRun> runs = new ArrayList<>();
            for (long seed : config.seeds()) {
                Path run = layout.studentRun(v.name(), seed);
                Path metrics = run.resolve("metrics.json");
                runs.add(new SeedRun(seed, run,
                        Files.isRegularFile(metrics) ? Json.readJson(metrics, Metrics.class) : null,
                        errors.get(ExperimentStatus.key(v.name(), seed))));
            }
            Path own = layout.variantTeacherMetrics(v.name());
            variants.add(new VariantResult(v.name(), v.describe(), runs, v.teacher() != null && Files.isRegularFile(own)
                    ? Json.readJson(own, Metrics.class) : null));
        }
        Path teacherModel = config.teacher().modelDir(layout);
        Path teacherRun = config.teacher().members() != null ? null // an ensemble has no training history of its own
                : config.teacher().train() != null ? layout.teacherRun()
                : config.teacher().run() != null ? Path.of(config.teacher().run())
                // a shipped checkpoint that kept its run's files (history.csv, config.yaml, ...) beside the model
                : Files.isRegularFile(teacherModel.resolve("history.csv")) ? teacherModel : null;
        return new ExperimentResults(layout, config, teacher, teacherRun, teacherModel, variants);
    }
}
