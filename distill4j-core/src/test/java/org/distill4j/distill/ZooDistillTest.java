package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distillation across families and stage counts: a 3-stage WRN teacher and a 3-stage ShuffleNetV2 student with
 * the seed's full loss (KD, alignment, causal attention through the WRN's tail), online and from a teacher bank;
 * and a method that reads a stage a network lacks is refused before anything trains.
 */
class ZooDistillTest {
    static final DataSplit DATA = SyntheticDataset.split(96, 32, 10, 3, 16, 5);
    @TempDir
    static Path dir;
    static Path teacherRun;

    static TrainConfig config(String model, int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.of("model", model, "dataset", "synthetic",
                "epochs", epochs, "batchSize", 32, "lr", 0.05, "seed", 1L, "device", "cpu", "augment", false));
    }

    @BeforeAll
    static void trainTeacher() throws Exception {
        teacherRun = dir.resolve("teacher");
        TrainingRun.execute(config("wrn-16-1", 1), TrainObjective.hardLabels(), DATA, teacherRun, false,
                TrainListener.NONE);
    }

    @Test
    void seedLossFromAWrnToAShuffleNetOnlineAndFromTheBank() throws Exception {
        MethodConfig method = Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 4, "at.stages", List.of(1, 2, 3)));
        double[] firstLoss = new double[2];
        int i = 0;
        for (TeacherBankConfig bank : new TeacherBankConfig[] {null, new TeacherBankConfig(1, 0, "fp32")}) {
            Path out = dir.resolve(bank == null ? "online" : "bank");
            DistillConfig config = new DistillConfig(teacherRun.toString(), config("shufflenetv2-0.5x", 1), method, bank);
            Metrics m = DistillationRun.execute(config, DATA, out, false, TrainListener.NONE).metrics();
            assertEquals("shufflenetv2-0.5x", m.model());
            assertEquals(0, m.width());
            List<String> history = Files.readAllLines(out.resolve("history.csv"));
            assertTrue(history.get(0).contains("loss_attn3") && !history.get(0).contains("loss_attn4"), history.get(0));
            firstLoss[i++] = Double.parseDouble(history.get(1).split(",")[2]);
            assertTrue(Double.isFinite(firstLoss[i - 1]), history.get(1));
        }
        // Same data, same seed, no augmentation: the bank serves what the teacher computes online (fp32).
        assertEquals(firstLoss[0], firstLoss[1], 1e-4 * Math.abs(firstLoss[0]));
    }

    @Test
    void aStageTheTeacherLacksIsRefusedByName() {
        // the at preset names stages 2, 3 and 4; the WRN teacher has 3
        DistillConfig config = new DistillConfig(teacherRun.toString(), config("resnet18", 1), Methods.preset("at"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> DistillationRun.execute(config, DATA, dir.resolve("at"), false, TrainListener.NONE));
        assertTrue(e.getMessage().contains("at.stages") && e.getMessage().contains("wrn-16-1 has 3 stages"),
                e.getMessage());
        assertTrue(!Files.exists(dir.resolve("at").resolve("config.yaml")), "nothing was started");
    }
}
