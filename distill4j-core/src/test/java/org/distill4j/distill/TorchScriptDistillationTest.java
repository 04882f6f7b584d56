package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentRunner;
import org.distill4j.report.ReportBuilder;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distilling from the shipped PyTorch teacher (teachers/fashion-mnist-torch-resnet18-w8.pt, 91.4% in PyTorch):
 * online and through a teacher bank, from {@code distill} and from a study; every preset either binds to it or
 * names what the TorchScript teacher does not give.
 */
class TorchScriptDistillationTest {
    static final Path TEACHER = TorchScriptTeacherTest.TEACHER;

    @TempDir
    Path dir;

    static void assumeFashionMnist() {
        Assumptions.assumeTrue(System.getenv("CI") != null
                        || Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    }

    static TrainConfig student(int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.ofEntries(Map.entry("model", "resnet18"),
                Map.entry("width", 8), Map.entry("dataset", "fashion-mnist"), Map.entry("epochs", epochs),
                Map.entry("batchSize", 64), Map.entry("lr", 0.05), Map.entry("trainSubset", 2000),
                Map.entry("testSubset", 500), Map.entry("augment", false), Map.entry("seed", 3L),
                Map.entry("device", "cpu")));
    }

    /** The soft-target loss of each epoch, from history.csv. */
    static List<Double> column(Path run, String name) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("history.csv"));
        int c = List.of(lines.get(0).split(",")).indexOf(name);
        assertTrue(c >= 0, name + " not in " + lines.get(0));
        List<Double> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            values.add(Double.parseDouble(line.split(",")[c]));
        }
        return values;
    }

    @Test
    void aShortDistillationLearnsOnlineAndThroughTheBank() throws Exception {
        assumeFashionMnist();
        TrainConfig student = student(2);
        DataSplit data = TrainingRun.loadData(student);
        MethodConfig causal = Methods.withOverrides(Methods.preset("kd-causal-at"), Map.of("igSteps", 4));

        Path online = dir.resolve("online");
        Metrics m = DistillationRun.execute(new DistillConfig(TEACHER.toString(), student, causal), data, online,
                false, TrainListener.NONE).metrics();
        assertEquals("online", m.teacherSource());
        List<Double> soft = column(online, "loss_soft");
        assertTrue(soft.get(1) < soft.get(0), "the KD loss against the PyTorch teacher should fall: " + soft);
        // Measured: 2 epochs on 2,000 images give about 70% on 500 test images (chance 10%).
        assertTrue(m.top1() > 0.5, "online top-1 " + m.top1());

        Path banked = dir.resolve("banked");
        DistillConfig bankConfig = new DistillConfig(TEACHER.toString(), student, Methods.preset("seed"),
                new TeacherBankConfig(1, 0, TeacherBankConfig.FP16));
        Metrics b = DistillationRun.execute(bankConfig, data, banked, false, TrainListener.NONE).metrics();
        assertTrue(b.teacherSource().startsWith("bank "), b.teacherSource());
        assertTrue(b.top1() > 0.5, "bank top-1 " + b.top1());
        List<Double> attn = column(banked, "loss_attn1");
        assertTrue(attn.get(1) < attn.get(0), "the causal attention loss should fall: " + attn);
    }

    @Test
    void aStudyTakesATorchScriptTeacherAndReportsIt() throws Exception {
        assumeFashionMnist();
        Path study = dir.resolve("study.yaml");
        Files.writeString(study, """
                name: torch-teacher
                teacher: {torchscript: %s}
                student: {model: resnet18, width: 8, dataset: fashion-mnist, epochs: 1, batchSize: 64, lr: 0.05,
                          trainSubset: 500, testSubset: 200, augment: false}
                seeds: [1]
                variants:
                  - {name: kd-causal-at, method: {name: kd-causal-at, igSteps: 4}}
                teacherBank: {views: 1}
                report: {samples: 2}
                """.formatted(TEACHER.toAbsolutePath().normalize()));
        ExperimentConfig config = ExperimentConfig.load(study);
        assertEquals(TEACHER.toAbsolutePath().normalize().toString(), config.teacher().torchscript());
        Path out = dir.resolve("out");
        ExperimentResults r = ExperimentRunner.run(config, out, new ExperimentRunner.Listener() {
            @Override
            public TrainListener run(String label) {
                return TrainListener.NONE;
            }

            @Override
            public void message(String text) {}
        });
        assertEquals("teacher", r.teacher().method());
        assertEquals(176_258, r.teacher().params()); // the manifest's count, from PyTorch
        assertTrue(r.teacher().top1() > 0.8, "the teacher on 200 test images: " + r.teacher().top1());
        Metrics kd = r.variants().get(0).finished().get(0);
        assertTrue(kd.teacherSource().startsWith("bank "), kd.teacherSource());
        String html = Files.readString(ReportBuilder.write(out));
        assertTrue(html.contains("TorchScript"), "the report names the teacher");
        assertTrue(html.contains("IG mask"), "the report explains the PyTorch teacher with its IG mask");
    }

    /** Every preset binds to the TorchScript teacher, or fails naming what it lacks; which ones is pinned here. */
    @Test
    void everyPresetBindsOrNamesWhatTheTeacherLacks() throws IOException {
        DataSplit data = SyntheticDataset.split(16, 8, 10, 1, 28, 5);
        ImageDataset train = data.train();
        Map<String, String> failures = new TreeMap<>();
        try (NDManager manager = NDManager.newBaseManager();
                Teacher teacher = Teacher.load(TEACHER, manager)) {
            assertEquals("fashion-mnist-torch-resnet18-w8.pt (TorchScript)", teacher.name());
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            TrainConfig student = Overrides.apply(student(1), Map.of("dataset", "synthetic"));
            for (Methods.Preset p : Methods.presets()) {
                try {
                    DistillationRun.bind(new DistillConfig(TEACHER.toString(), student, Methods.preset(p.name())),
                            teacher, train, manager);
                } catch (ConfigException e) {
                    failures.put(p.name(), e.getMessage());
                }
            }
        }
        assertEquals(List.of("cckd", "crd", "crd-kd", "hybrid-at", "kdafm", "pkt", "rkd"),
                List.copyOf(failures.keySet()), failures.toString());
        for (String pooled : List.of("cckd", "crd", "crd-kd", "pkt", "rkd")) {
            assertTrue(failures.get(pooled).contains("pooled embedding"), failures.get(pooled));
        }
        assertTrue(failures.get("kdafm").contains("residual block outputs"), failures.get("kdafm"));
        assertTrue(failures.get("hybrid-at").contains("before its activation"), failures.get("hybrid-at"));
        failures.values().forEach(msg -> assertTrue(msg.contains("fashion-mnist-torch-resnet18-w8.pt"), msg));
    }

    @Test
    void aTeacherWithoutATailServesKdButNotTheCausalTerms() throws IOException {
        Path pt = Files.copy(TEACHER, dir.resolve("no-tail.pt"));
        String manifest = Files.readString(TorchScriptTeacher.manifestPath(TEACHER));
        Files.writeString(TorchScriptTeacher.manifestPath(pt), manifest.replace("\"tail\": \"tail3\"", "\"tail\": null"));
        assertNotEquals(Teacher.fingerprint(TEACHER), Teacher.fingerprint(pt), "a manifest change is a new teacher");

        DataSplit data = SyntheticDataset.split(16, 8, 10, 1, 28, 5);
        ImageDataset train = data.train();
        TrainConfig student = Overrides.apply(student(1), Map.of("dataset", "synthetic"));
        try (NDManager manager = NDManager.newBaseManager();
                Teacher teacher = Teacher.load(pt, manager)) {
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            DistillationRun.bind(new DistillConfig(pt.toString(), student, Methods.preset("kd-at")), teacher, train,
                    manager);
            ConfigException e = assertThrows(ConfigException.class, () -> DistillationRun.bind(
                    new DistillConfig(pt.toString(), student, Methods.preset("kd-causal-at")), teacher, train,
                    manager));
            assertTrue(e.getMessage().contains("mask3") && e.getMessage().contains("tail3"), e.getMessage());
            // masks at a stage that has its tail still work
            DistillationRun.bind(new DistillConfig(pt.toString(), student,
                    Methods.withOverrides(Methods.preset("kd-causal-at"), Map.of("causalStage", 4))), teacher, train,
                    manager);
            assertFalse(teacher.gives(new Signal.Mask(3, 8, 0)));
            assertTrue(teacher.gives(new Signal.Mask(4, 8, 0)));
        }
    }
}
