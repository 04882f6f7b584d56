package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A teacher trained on synthetic data, then students distilled from it through the real run path. */
class DistillationRunTest {
    static final DataSplit DATA = SyntheticDataset.split(640, 160, 10, 3, 16, 21);
    @TempDir
    static Path dir;
    static Path teacherRun;

    static TrainConfig config(String model, int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.of("model", model, "width", 8, "dataset", "synthetic",
                "epochs", epochs, "batchSize", 32, "lr", 0.05, "seed", 1L, "device", "cpu"));
    }

    @BeforeAll
    static void trainTeacher() throws Exception {
        teacherRun = dir.resolve("teacher");
        TrainingRun.execute(config("resnet18-cbam", 2), TrainObjective.hardLabels(), DATA, teacherRun, false,
                TrainListener.NONE);
    }

    @Test
    void seedMethodRunsEndToEndAndLogsEveryTerm() throws Exception {
        Path out = dir.resolve("seed");
        MethodConfig method = Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 4));
        DistillConfig config = new DistillConfig(teacherRun.toString(), config("resnet18", 2), method);
        Metrics m = DistillationRun.execute(config, DATA, out, false, TrainListener.NONE).metrics();
        // Wiring, not accuracy (FashionMnistDistillTest checks that): the student learns something.
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        double loss1 = Double.parseDouble(history.get(1).split(",")[2]);
        double loss2 = Double.parseDouble(history.get(2).split(",")[2]);
        assertTrue(loss2 < loss1, "total loss should fall: " + loss1 + " -> " + loss2);
        assertTrue(m.top1() > 0.15, "top-1 " + m.top1() + " (chance 0.1)");
        assertTrue(m.method().startsWith("seed: ") && m.method().contains("CausalAT"), m.method());
        String header = Files.readAllLines(out.resolve("history.csv")).get(0);
        for (String term : List.of("loss_ce", "loss_soft", "loss_align", "loss_attn1", "loss_attn3")) {
            assertTrue(header.contains(term), header);
        }
        assertFalse(header.contains("loss_attn4"), "the seed preset transfers stages 1-3: " + header);
        assertEquals(config, Json.readYaml(out.resolve("config.yaml"), DistillConfig.class));
        assertEquals(config.student(), TrainingRun.trainConfig(RunDirectory.open(out)));
    }

    @Test
    void aTeacherForOtherDataIsRejected() throws Exception {
        DataSplit gray = SyntheticDataset.split(64, 32, 10, 1, 16, 3);
        DistillConfig config = new DistillConfig(teacherRun.toString(), config("resnet18", 1), Methods.preset("kd"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> DistillationRun.execute(config, gray, dir.resolve("gray"), false, TrainListener.NONE));
        assertTrue(e.getMessage().contains("3x16x16"), e.getMessage());
    }
}
