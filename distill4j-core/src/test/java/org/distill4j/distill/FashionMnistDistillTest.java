package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.eval.Metrics;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on real data: a small teacher, then a student distilled with the seed's full loss. */
class FashionMnistDistillTest {

    @Test
    void seedLossStudentReachesASaneAccuracy(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(System.getenv("CI") != null
                        || Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Map<String, Object> common = Map.of("width", 8, "dataset", "fashion-mnist", "batchSize", 64, "lr", 0.05,
                "trainSubset", 4000, "testSubset", 1000, "augment", false, "device", "cpu");
        TrainConfig teacherConfig = Overrides.apply(Overrides.apply(TrainConfig.defaults(), common),
                Map.of("model", "resnet18-cbam", "epochs", 2));
        DataSplit data = TrainingRun.loadData(teacherConfig);
        Path teacher = dir.resolve("teacher");
        TrainingRun.execute(teacherConfig, TrainObjective.hardLabels(), data, teacher, false, TrainListener.NONE);

        TrainConfig student = Overrides.apply(Overrides.apply(TrainConfig.defaults(), common),
                Map.of("model", "resnet18", "epochs", 2));
        MethodConfig seed = Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 4));
        Metrics m = DistillationRun.execute(new DistillConfig(teacher.toString(), student, seed), data,
                dir.resolve("student"), false, TrainListener.NONE).metrics();
        // Measured here: teacher 78.5%, student alone 79.7%, seed-loss student 71.7% (a weak teacher does not help).
        assertTrue(m.top1() >= 0.65, "seed-loss student top-1 on 1000 Fashion-MNIST test images: " + m.top1());
    }
}
