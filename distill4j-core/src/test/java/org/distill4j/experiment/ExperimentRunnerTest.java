package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.distill4j.config.ConfigException;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.ImageDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.run.Json;
import org.distill4j.run.RunLock;
import org.distill4j.train.EpochStats;
import org.distill4j.train.TrainListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's bookkeeping on a tiny synthetic study (width-4 ResNet18s, 64 images, 2 epochs): a rerun trains
 * nothing, a killed run resumes, a failing variant is recorded while the others finish, a changed config is moved
 * aside and trained again, and a teacher checkpoint with the wrong checksum is refused.
 */
class ExperimentRunnerTest {
    @TempDir
    static Path shared;

    static Path experimentFile;

    static final String YAML = """
            name: tiny
            description: a tiny synthetic study for tests
            teacher:
              train: {model: resnet18, width: 4, dataset: synthetic, epochs: 1, batchSize: 16, lr: 0.05,
                      trainSubset: 64, testSubset: 32, augment: false}
            student: {model: resnet18, width: 2, dataset: synthetic, epochs: 2, batchSize: 16, lr: 0.05,
                      trainSubset: 64, testSubset: 32, augment: false}
            seeds: [1, 2]
            variants:
              - {name: student-only, method: student-only}
              - {name: kd, method: {name: kd, temperature: 2}}
              - {name: broken, method: kd, student: {dataset: fashion-mnist, dataDir: fm-data}}
            report: {samples: 2}
            """;

    @BeforeAll
    static void writeExperiment() throws IOException {
        experimentFile = shared.resolve("tiny.yaml");
        Files.writeString(experimentFile, YAML);
    }

    /** Counts epochs trained and remembers messages; optionally dies (like a killed process) after one epoch. */
    static final class Recorder implements ExperimentRunner.Listener {
        final AtomicInteger epochs = new AtomicInteger();
        final List<String> messages = new ArrayList<>();
        final String dieIn;

        Recorder(String dieIn) {
            this.dieIn = dieIn;
        }

        @Override
        public TrainListener run(String label) {
            return new TrainListener() {
                @Override
                public void onEpochEnd(EpochStats stats, int total, double best) {
                    epochs.incrementAndGet();
                    if (dieIn != null && label.startsWith(dieIn) && stats.epoch() == 1) {
                        throw new Killed();
                    }
                }
            };
        }

        @Override
        public void message(String text) {
            messages.add(text);
        }
    }

    /** An Error, not an Exception: the runner must not record it as a failed variant; it ends the process. */
    static final class Killed extends Error {}

    @Test
    void rerunTrainsNothingAndFailedVariantDoesNotStopTheOthers(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        Recorder first = new Recorder(null);
        ExperimentResults r = ExperimentRunner.run(config, out, first);
        // teacher 1 epoch + 2 variants x 2 seeds x 2 epochs
        assertEquals(1 + 8, first.epochs.get());
        ExperimentStatus status = ExperimentStatus.read(new ExperimentLayout(out).status());
        assertEquals(6, status.runs().size());
        for (ExperimentStatus.Entry e : status.runs()) {
            if (e.variant().equals("broken")) {
                assertEquals(ExperimentStatus.FAILED, e.outcome());
                // a synthetic-data teacher cannot teach a Fashion-MNIST student (or, without the data, loading fails)
                assertTrue(e.error().contains("fashion-mnist"), e.error());
            } else {
                assertEquals(ExperimentStatus.TRAINED, e.outcome());
                assertNull(e.error());
            }
        }
        assertNotNull(r.teacher());
        assertEquals("teacher", r.teacher().method());
        assertEquals(32, r.teacher().testImages());
        assertEquals(2, r.variants().get(1).finished().size());
        assertTrue(r.variants().get(1).method().contains("temperature=2.0"), r.variants().get(1).method());
        assertTrue(r.variants().get(2).finished().isEmpty());
        assertNotNull(r.variants().get(2).runs().get(0).error());

        // The report's table on these real runs: the numbers of each run's metrics.json, pooled independently here.
        List<org.distill4j.report.ReportTable.Row> rows = org.distill4j.report.ReportTable.rows(r);
        for (int i = 0; i < 2; i++) {
            double[] top1 = new double[2];
            for (int k = 0; k < 2; k++) {
                Path metrics = new ExperimentLayout(out).studentRun(i == 0 ? "student-only" : "kd", k + 1)
                        .resolve("metrics.json");
                top1[k] = 100 * Json.readJson(metrics, Metrics.class).top1();
            }
            double mean = (top1[0] + top1[1]) / 2;
            double std = Math.abs(top1[0] - top1[1]) / Math.sqrt(2); // sample std of two values
            assertEquals(mean, rows.get(i).top1Mean(), 1e-9);
            assertEquals(std, rows.get(i).top1Std(), 1e-9);
            assertEquals(2, rows.get(i).seeds());
        }
        assertEquals(0, rows.get(2).seeds());
        assertEquals(2, rows.get(2).failed());
        assertEquals(100 * r.teacher().top1(), rows.get(3).top1Mean(), 1e-9);
        assertTrue(rows.get(3).teacher());

        // One latency measurement for the one student architecture, not one per run; both rows show it.
        ArchitectureSpeed.Table speed = ArchitectureSpeed.read(new ExperimentLayout(out));
        assertEquals(1, speed.architectures().size(), speed.toString());
        ArchitectureSpeed.Entry entry = speed.architectures().get(0);
        assertEquals("resnet18", entry.model());
        assertEquals(2, entry.width());
        assertEquals("students/student-only/seed-1", entry.measuredOn());
        assertTrue(entry.latencyMs() > 0 && entry.imagesPerSec() > 0 && entry.latencyRuns() >= 50, entry.toString());
        for (int i = 0; i < 2; i++) {
            assertEquals(entry.latencyMs(), rows.get(i).latencyMs(), 0.0);
            assertEquals(entry.imagesPerSec(), rows.get(i).imagesPerSec(), 0.0);
            Metrics run = r.variants().get(i).finished().get(0);
            assertTrue(Double.isNaN(run.latencyMs()) && run.latencyRuns() == 0 && run.onnxLatencyMs() == null,
                    "a study's runs are not timed one by one: " + run);
        }
        assertTrue(first.messages.stream().filter(m -> m.startsWith("measuring latency")).count() == 1,
                first.messages.toString());

        Recorder second = new Recorder(null);
        ExperimentRunner.run(config, out, second);
        assertEquals(0, second.epochs.get(), "a finished experiment must train nothing");
        ExperimentStatus again = ExperimentStatus.read(new ExperimentLayout(out).status());
        assertEquals(4, again.runs().stream().filter(e -> e.outcome().equals(ExperimentStatus.REUSED)).count());
        assertTrue(second.messages.stream().anyMatch(m -> m.contains("teacher: reusing")), second.messages.toString());
        assertTrue(second.messages.stream().noneMatch(m -> m.startsWith("measuring latency")),
                "a measured architecture is not measured again: " + second.messages);
    }

    @Test
    void killedRunResumesFromItsCheckpoint(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        assertThrows(Killed.class, () -> ExperimentRunner.run(config, out, new Recorder("kd seed 2")));
        Path killed = new ExperimentLayout(out).studentRun("kd", 2);
        assertTrue(Files.isRegularFile(killed.resolve("checkpoints/last.ckpt")));
        assertFalse(Files.exists(killed.resolve("metrics.json")));

        Recorder rerun = new Recorder(null);
        ExperimentResults r = ExperimentRunner.run(config, out, rerun);
        // only the second epoch of the killed run is trained; every other run is reused
        assertEquals(1, rerun.epochs.get());
        ExperimentStatus status = ExperimentStatus.read(new ExperimentLayout(out).status());
        assertEquals(ExperimentStatus.RESUMED, status.runs().stream()
                .filter(e -> e.variant().equals("kd") && e.seed() == 2).findFirst().orElseThrow().outcome());
        Metrics m = Json.readJson(killed.resolve("metrics.json"), Metrics.class);
        assertEquals(2, m.epochs());
        assertEquals(3, Files.readAllLines(killed.resolve("history.csv")).size()); // header + 2 epochs
        assertEquals(2, r.variants().get(1).finished().size());
    }

    @Test
    void changedConfigIsMovedAsideAndTrainedAgain(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        ExperimentRunner.run(config, out, new Recorder(null));
        String changed = YAML.replace("seeds: [1, 2]", "seeds: [1]")
                .replace("{name: kd, temperature: 2}", "{name: kd, temperature: 3}");
        Path file = out.resolve("changed.yaml");
        Files.writeString(file, changed);
        Recorder rerun = new Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(file), out, rerun);
        assertEquals(2, rerun.epochs.get(), "only kd seed 1 is trained again");
        Path kd = new ExperimentLayout(out).studentRun("kd", 1);
        assertTrue(Files.isRegularFile(kd.resolveSibling("seed-1.replaced-1").resolve("metrics.json")),
                "the old finished run is kept");
        assertTrue(Files.readString(kd.resolve("config.yaml")).contains("temperature: 3"));
    }

    @Test
    void aTeacherThatMovedIsRecognisedByItsChecksum(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        ExperimentRunner.run(config, out, new Recorder(null));
        // The same teacher, now given as a saved model elsewhere (as when a checkout moves): nothing is retrained.
        Path moved = out.resolve("moved-teacher");
        Files.createDirectories(moved);
        Path model = new ExperimentLayout(out).teacherRun().resolve("model");
        for (String f : List.of("parameters.bin", "model.json")) {
            Files.copy(model.resolve(f), moved.resolve(f));
        }
        String yaml = YAML.replaceAll("(?s)teacher:\\n  train: \\{.*?}\\n", "teacher:\n  model: " + moved + "\n");
        Path file = out.resolve("moved.yaml");
        Files.writeString(file, yaml);
        Recorder rerun = new Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(file), out, rerun);
        assertEquals(0, rerun.epochs.get(), rerun.messages.toString());
        // A different teacher (one parameter changed: the last float of the file) retrains the distilled runs
        // only: kd x 2 seeds x 2 epochs.
        byte[] bytes = Files.readAllBytes(moved.resolve("parameters.bin"));
        bytes[bytes.length - 2] ^= 0x01;
        Files.write(moved.resolve("parameters.bin"), bytes);
        Recorder changed = new Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(file), out, changed);
        assertEquals(4, changed.epochs.get(), changed.messages.toString());
        assertTrue(Files.isDirectory(new ExperimentLayout(out).studentRun("kd", 1).resolveSibling("seed-1.replaced-1")));
    }

    @Test
    void teacherCheckpointWithWrongChecksumIsRefused(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        ExperimentRunner.run(config, out, new Recorder(null));
        Path model = new ExperimentLayout(out).teacherRun().resolve("model");
        String yaml = YAML.replaceAll("(?s)teacher:\\n  train: \\{.*?}\\n", "teacher:\n  model: " + model
                + "\n  sha256: '" + "0".repeat(64) + "'\n");
        Path file = out.resolve("given.yaml");
        Files.writeString(file, yaml);
        ConfigException e = assertThrows(ConfigException.class,
                () -> ExperimentRunner.run(ExperimentConfig.load(file), out.resolve("other"), new Recorder(null)));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertTrue(e.getMessage().contains("0".repeat(64)), e.getMessage());
    }

    @Test
    void experimentFileRoundTripsAndRejectsUnknownKeys(@TempDir Path out) throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experimentFile);
        assertEquals(List.of(1L, 2L), config.seeds());
        assertEquals(shared.resolve("fm-data").toString(), config.variants().get(2).student().dataDir());
        Path written = out.resolve("experiment.yaml");
        Json.writeYaml(written, config);
        assertEquals(config, ExperimentConfig.load(written));

        Files.writeString(out.resolve("bad.yaml"), YAML.replace("seeds:", "seed:"));
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentConfig.load(out.resolve("bad.yaml")));
        assertTrue(e.getMessage().contains("unknown key 'seed'") && e.getMessage().contains("seeds"), e.getMessage());
        Files.writeString(out.resolve("bad2.yaml"), YAML.replace("temperature: 2", "temprature: 2"));
        e = assertThrows(ConfigException.class, () -> ExperimentConfig.load(out.resolve("bad2.yaml")));
        assertTrue(e.getMessage().contains("temprature"), e.getMessage());
        assertThrows(ConfigException.class, () -> ExperimentConfig.parse(Map.of("name", "x", "teacher",
                Map.of("run", "a", "model", "b"), "variants", List.of(Map.of("name", "a", "method", "kd"))), out));
    }

    @Test
    void distilledVariantsShareOneTeacherBankThatTheyBuildOnceAndOnlineSwitchesItOff(@TempDir Path out)
            throws IOException {
        String yaml = YAML.replace("""
                  - {name: broken, method: kd, student: {dataset: fashion-mnist, dataDir: fm-data}}
                """, """
                  - {name: causal, method: {name: kd-causal-at, igSteps: 2}}
                """).replace("report: {samples: 2}", "teacherBank: {views: 3, precision: fp32}\nreport: {samples: 0}");
        Path file = out.resolve("banked.yaml");
        Files.writeString(file, yaml);
        ExperimentConfig config = ExperimentConfig.load(file);
        assertEquals(3, config.teacherBank().views());
        Recorder first = new Recorder(null);
        ExperimentRunner.run(config, out.resolve("study"), first);
        Path banks = new ExperimentLayout(out.resolve("study")).teacherBank();
        try (var files = Files.list(banks)) {
            // one bank, holding the union of what kd and causal need; no augmentation: one view, not 3
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(RunLock.FILE))
                    .sorted().toList();
            assertEquals(2, names.size(), names.toString());
            assertTrue(names.get(0).endsWith(".bin") && names.get(1).endsWith(".json"), names.toString());
        }
        assertEquals(1 + 3 * 2 * 2, first.epochs.get());
        String kdConfig = Files.readString(new ExperimentLayout(out.resolve("study")).studentRun("kd", 1)
                .resolve("config.yaml"));
        assertTrue(kdConfig.contains("teacherBank") && kdConfig.contains("views: 3"), kdConfig);

        // --online: the same study without the bank is another configuration, so the distilled runs train again
        Recorder online = new Recorder(null);
        ExperimentRunner.run(config.online(), out.resolve("study"), online);
        assertEquals(2 * 2 * 2, online.epochs.get(), "kd and causal over 2 seeds, 2 epochs each");
    }

    @Test
    void aBadTeacherBankKeyIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                Map.of("name", "x", "teacher", Map.of("model", "t"), "teacherBank", Map.of("view", 2)), shared));
        assertTrue(e.getMessage().contains("unknown key 'view'") && e.getMessage().contains("views"), e.getMessage());
        assertNull(ExperimentConfig.parse(Map.of("name", "x", "teacher", Map.of("model", "t"), "teacherBank", "off"),
                shared).teacherBank());
        ConfigException range = assertThrows(ConfigException.class, () -> ExperimentConfig.parse(
                Map.of("name", "x", "teacher", Map.of("model", "t"), "teacherBank", Map.of("views", 0)), shared));
        assertTrue(range.getMessage().contains("teacherBank.views"), range.getMessage());
    }

    @Test
    void theTeachersMeasurementIsKeyedByTheTestImagesNotTheDataDirectory() {
        TrainConfig here = Overrides.apply(TrainConfig.defaults(), Map.of("dataset", "fashion-mnist", "dataDir", "/a"));
        TrainConfig elsewhere = Overrides.apply(here, Map.of("dataDir", "/home/other/.distill4j/data"));
        ImageDataset test = new ImageDataset("t", new byte[] {1, 2, 3, 4}, new int[] {0, 1}, 1, 1, 2, List.of("a", "b"));
        ImageDataset other = new ImageDataset("t", new byte[] {1, 2, 3, 5}, new int[] {0, 1}, 1, 1, 2, List.of("a", "b"));
        assertEquals(ExperimentRunner.teacherMetricsKey("sha", here, test),
                ExperimentRunner.teacherMetricsKey("sha", elsewhere, test), "a study restored elsewhere keeps it");
        assertFalse(ExperimentRunner.teacherMetricsKey("sha", here, test)
                .equals(ExperimentRunner.teacherMetricsKey("sha", here, other)), "other test images measure again");
        assertFalse(ExperimentRunner.teacherMetricsKey("sha", here, test)
                .equals(ExperimentRunner.teacherMetricsKey("sha2", here, test)), "another teacher measures again");
    }
}
