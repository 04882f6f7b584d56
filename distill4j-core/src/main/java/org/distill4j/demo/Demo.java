package org.distill4j.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.DistillationRun;
import org.distill4j.distill.Methods;
import org.distill4j.eval.ComparisonTable;
import org.distill4j.eval.Metrics;
import org.distill4j.train.ProgressBar;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainingRun;

/**
 * The demo: on Fashion-MNIST (real data, installed offline by Debian's dataset-fashion-mnist), trains a
 * small ResNet50+CBAM teacher and a small ResNet18 student from scratch, distils the same student from the
 * teacher with L_KD alone and with the seed's full loss, and compares all four. Sized to finish
 * in about ten minutes on a 2-core CPU: width 16, 2 epochs, 10,000 training images for the teacher and 5,000
 * for each student, 2,000 test images.
 * Augmentation is off: over 2-3 epochs pad-and-crop costs more than it gives (measured here, ResNet18 width 16
 * on 8,000 images for 3 epochs: 78.5% top-1 with pad-4 crop, 86.1% without).
 */
public final class Demo {

    /** The demo's teacher: the seed's architecture at CPU width. */
    public static TrainConfig teacher(Path dataDir) {
        return Overrides.apply(TrainConfig.defaults(), Map.of(
                "model", "resnet50-cbam", "width", 16, "dataset", "fashion-mnist",
                "epochs", 2, "batchSize", 64, "lr", 0.05, "trainSubset", 10000, "testSubset", 2000,
                "augment", false)).withDataDir(dataDir);
    }

    /** The demo's student: the seed's ResNet18 at CPU width (the same for every student row). */
    public static TrainConfig student(Path dataDir) {
        return Overrides.apply(TrainConfig.defaults(), Map.of(
                "model", "resnet18", "width", 16, "dataset", "fashion-mnist",
                "epochs", 2, "batchSize", 64, "lr", 0.05, "trainSubset", 5000, "testSubset", 2000,
                "augment", false)).withDataDir(dataDir);
    }

    /**
     * The demo's distillation methods: L_KD alone, and the seed's full loss with 4 IG steps instead of 16 to fit
     * the budget (IG through the teacher's tail is most of that row's time: 354 s of training at m = 8).
     */
    public static List<MethodConfig> methods() {
        return List.of(Methods.preset("kd"), Overrides.apply(Methods.preset("seed"), Map.of("igSteps", 4)));
    }

    /** @param table the printed comparison; rows teacher, student alone, then one per distillation method */
    public record Result(List<ComparisonTable.Row> rows, String table, Path out) {}

    private Demo() {}

    public static Result run(Path out, Path dataDir, boolean interactive) throws IOException {
        List<ComparisonTable.Row> rows = new ArrayList<>();
        TrainConfig teacher = teacher(dataDir);
        TrainConfig student = student(dataDir);
        Path teacherRun = out.resolve("teacher");
        rows.add(new ComparisonTable.Row("teacher", train(teacher, teacherRun, "teacher", interactive)));
        rows.add(new ComparisonTable.Row("student-only", train(student, out.resolve("student-only"), "student-only",
                interactive)));
        for (MethodConfig method : methods()) {
            TrainListener bar = new ProgressBar(System.err, interactive, "[student " + method.name() + "]");
            bar.onMessage("distilling " + student.model() + " from the teacher: " + Methods.describe(method));
            Metrics m = DistillationRun.execute(new DistillConfig(teacherRun.toString(), student, method),
                    out.resolve("student-" + method.name()), false, bar).metrics();
            rows.add(new ComparisonTable.Row("student " + method.name(), m));
        }
        return new Result(rows, ComparisonTable.format(rows), out);
    }

    private static Metrics train(TrainConfig c, Path dir, String role, boolean interactive) throws IOException {
        TrainListener bar = new ProgressBar(System.err, interactive, "[" + role + " " + c.model() + "]");
        bar.onMessage(String.format("training %s width %d on %d Fashion-MNIST images for %d epochs",
                c.model(), c.width(), c.trainSubset(), c.epochs()));
        return TrainingRun.execute(c, dir, false, bar).metrics();
    }
}
