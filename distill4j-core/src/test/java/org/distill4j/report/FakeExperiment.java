package org.distill4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Methods;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentStatus;
import org.distill4j.experiment.TeacherStage;
import org.distill4j.experiment.Variant;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.Json;
import org.distill4j.run.Provenance;

/**
 * An experiment directory as {@code distill4j run} leaves it, written by hand with known numbers and no training:
 * three seeds of student-only, kd and seed (whose seed 2 failed), an align variant that never ran, and a teacher.
 */
final class FakeExperiment {
    static final List<Long> SEEDS = List.of(1L, 2L, 3L);
    /** Final top-1 per variant and seed (NaN: no metrics.json). */
    static final Map<String, double[]> TOP1 = Map.of(
            "student-only", new double[] {0.80, 0.82, 0.81},
            "kd", new double[] {0.83, 0.845, 0.84},
            "seed", new double[] {0.85, Double.NaN, 0.865},
            "align", new double[] {Double.NaN, Double.NaN, Double.NaN});
    static final List<String> VARIANTS = List.of("student-only", "kd", "seed", "align");
    static final double TEACHER_TOP1 = 0.91;
    static final long STUDENT_PARAMS = 175_258;
    static final long TEACHER_PARAMS = 2_310_122;
    static final String FAILURE = "NonFiniteLossException: loss became NaN at epoch 2 <batch 17>";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String DATA_SHA = "ab".repeat(32);

    private FakeExperiment() {}

    /** The top-1 in [0, 1] of a variant's seed, a little off the final value in best-epoch. */
    static double top1Best(double top1) {
        return top1 + 0.004;
    }

    /**
     * @param dir          an empty directory; the experiment is dir/exp
     * @param teacherAsRun the teacher is a finished run in dir/elsewhere (outside the experiment) rather than a
     *                     saved model, so it has a history curve and provenance
     */
    static Path create(Path dir, boolean teacherAsRun) throws IOException {
        Path root = dir.resolve("exp");
        ExperimentLayout layout = new ExperimentLayout(root);
        TrainConfig student = Overrides.apply(TrainConfig.defaults(), Map.of("dataset", "synthetic", "width", 8,
                "epochs", 3, "trainSubset", 512, "testSubset", 256, "device", "cpu"));
        Path teacherDir = dir.resolve(teacherAsRun ? "elsewhere/teacher-run" : "teachers/synthetic-w16");
        Files.createDirectories(teacherDir.resolve("model"));
        TeacherStage teacher = teacherAsRun ? new TeacherStage(null, teacherDir.toString(), null, null)
                : new TeacherStage(null, null, teacherDir.toString(), null);
        List<Variant> variants = new ArrayList<>();
        for (String v : VARIANTS) {
            TrainConfig s = v.equals("seed") ? Overrides.apply(student, Map.of("lr", 0.05)) : student;
            variants.add(new Variant(v, Methods.preset(v.equals("align") ? "kd-align" : v), s));
        }
        ExperimentConfig config = new ExperimentConfig("fake-study", "Does distillation help a small student?\n\n"
                + "A hand-written experiment for tests.", teacher, student, SEEDS, variants, null);
        Files.createDirectories(root);
        Json.writeYaml(layout.experimentFile(), config);

        List<ExperimentStatus.Entry> status = new ArrayList<>();
        for (String v : VARIANTS) {
            for (int i = 0; i < SEEDS.size(); i++) {
                long seed = SEEDS.get(i);
                double top1 = TOP1.get(v)[i];
                if (v.equals("align")) {
                    continue; // never ran: no directory, no status entry
                }
                Path run = layout.studentRun(v, seed);
                Files.createDirectories(run);
                Json.writeYaml(run.resolve("config.yaml"), config.studentConfig(variants.get(VARIANTS.indexOf(v)), seed));
                if (Double.isNaN(top1)) {
                    status.add(new ExperimentStatus.Entry(v, seed, ExperimentStatus.FAILED, FAILURE, 3.5));
                    continue;
                }
                status.add(new ExperimentStatus.Entry(v, seed, ExperimentStatus.TRAINED, null, 60));
                Json.writeJson(run.resolve("metrics.json"), metrics("resnet18", STUDENT_PARAMS, top1, v, 8,
                        1.5 + 0.1 * i, 900 + 10 * i));
                writeHistory(run.resolve("history.csv"), top1);
                if (!v.equals("kd") || seed == 1) { // provenance for some runs only
                    provenance(seed).write(run.resolve("provenance.json"));
                }
            }
        }
        new ExperimentStatus(null, null, status).write(layout.status());
        Json.writeJson(layout.teacherMetrics(), metrics("resnet50-cbam", TEACHER_PARAMS, TEACHER_TOP1, "teacher", 16,
                6.2, 210));
        if (teacherAsRun) {
            Json.writeYaml(teacherDir.resolve("config.yaml"), student);
            writeHistory(teacherDir.resolve("history.csv"), TEACHER_TOP1);
            provenance(7).write(teacherDir.resolve("provenance.json"));
        }
        return root;
    }

    static Metrics metrics(String model, long params, double top1, String method, int width, double latencyMs,
            double imagesPerSec) {
        return new Metrics(model, params, params * 4 + 1200, top1, top1Best(top1), latencyMs, imagesPerSec, 3, 60,
                "synthetic", method, width, 2, 512, 256, 60, "cpu()");
    }

    static Provenance provenance(long seed) {
        return new Provenance(seed, COMMIT, Map.of("djl", "0.36.0"), "synthetic", DATA_SHA,
                Map.of("os", "Linux"), "2025-01-01T10:00:00Z", "2025-01-01T10:05:00Z", null);
    }

    /** Three epochs climbing to the final top-1, in the columns of a distill run. */
    static void writeHistory(Path csv, double finalTop1) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,lr,train_loss,loss_ce,loss_kd,train_top1,test_top1,"
                + "images_per_sec,epoch_seconds,loader_wait_seconds\n");
        for (int e = 1; e <= 3; e++) {
            double top1 = finalTop1 - 0.1 * (3 - e);
            sb.append(String.format(Locale.ROOT, "%d,0.1,1.0,0.5,0.5,%.6g,%.6g,900,20,0.1%n", e, top1, top1));
        }
        AtomicFiles.writeString(csv, sb.toString());
    }
}
