package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop end to end on small synthetic data (seconds per run). */
class TrainingRunTest {
    // 10 classes of 3x16x16 patterns: small enough for seconds, hard enough that chance is 10%.
    static final DataSplit DATA = SyntheticDataset.split(1280, 320, 10, 3, 16, 11);

    static TrainConfig config(int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 8,
                "dataset", "synthetic", "epochs", epochs, "batchSize", 32, "lr", 0.05, "seed", 3L,
                "device", "cpu"));
    }

    @Test
    void learnsSyntheticDataAndWritesACompleteRun(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Metrics m = TrainingRun.execute(config(3), TrainObjective.hardLabels(), DATA, out, false,
                TrainListener.NONE).metrics();
        assertTrue(m.top1() > 0.6, "top-1 " + m.top1() + " should be far above chance (0.1)");
        assertEquals(3, m.epochs());
        assertEquals("resnet18", m.model());
        assertTrue(m.latencyMs() > 0 && m.throughputImagesPerSec() > 0 && m.sizeBytes() > 4 * m.params());
        assertTrue(m.onnxLatencyMs() > 0 && m.onnxImagesPerSec() > 0, "ONNX Runtime speed measured");

        RunDirectory run = RunDirectory.open(out);
        for (Path p : List.of(run.config(), run.provenance(), run.history(), run.metrics(), run.lastCheckpoint(),
                run.bestCheckpoint(), run.modelDir().resolve(SavedModel.PARAMETERS))) {
            assertTrue(Files.isRegularFile(p), p + " missing");
        }
        List<String> history = Files.readAllLines(run.history());
        assertEquals(4, history.size());
        assertTrue(history.get(0).contains("loss_ce") && history.get(0).contains("test_top1"), history.get(0));
        assertEquals(m, Json.readJson(run.metrics(), Metrics.class));
        assertEquals(config(3), Json.readYaml(run.config(), TrainConfig.class));
        assertTrue(Files.readString(run.provenance()).contains(DATA.train().sha256()));

        // The saved model reloads and scores what the run reported.
        try (NDManager manager = NDManager.newBaseManager()) {
            SavedModel.Loaded loaded = SavedModel.load(run.modelDir(), manager);
            double top1 = Accuracy.top1(loaded.network(), DATA.test(), loaded.info().mean(), loaded.info().std(),
                    64, manager);
            assertEquals(m.top1(), top1, 1e-9);
        }
        // A finished run is never overwritten by a new one in the same place.
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(config(3),
                TrainObjective.hardLabels(), DATA, out, false, TrainListener.NONE));
    }

    @Test
    void testEveryMeasuresOnlyThoseEpochsAndTheLastAndTrainsTheSameModel(@TempDir Path dir) throws Exception {
        TrainConfig every = Overrides.apply(config(3), Map.of("maxBatches", 8));
        TrainConfig sparse = Overrides.apply(every, Map.of("testEvery", 2));
        Metrics a = TrainingRun.execute(every, TrainObjective.hardLabels(), DATA, dir.resolve("every"), false,
                TrainListener.NONE).metrics();
        Metrics b = TrainingRun.execute(sparse, TrainObjective.hardLabels(), DATA, dir.resolve("sparse"), false,
                TrainListener.NONE).metrics();
        assertArrayEquals(Files.readAllBytes(dir.resolve("every/model").resolve(SavedModel.PARAMETERS)),
                Files.readAllBytes(dir.resolve("sparse/model").resolve(SavedModel.PARAMETERS)),
                "measuring the test set does not change training");
        assertEquals(a.top1(), b.top1(), 0.0);
        List<Double> all = testColumn(dir.resolve("every/history.csv"));
        List<Double> some = testColumn(dir.resolve("sparse/history.csv"));
        assertTrue(all.stream().allMatch(Double::isFinite), all.toString());
        assertTrue(Double.isNaN(some.get(0)), "epoch 1 is not measured: " + some);
        assertEquals(all.subList(1, 3), some.subList(1, 3), "epoch 2 (every 2nd) and 3 (the last) are");
        assertTrue(b.bestEpoch() == 2 || b.bestEpoch() == 3, "best among measured epochs: " + b.bestEpoch());
        assertThrows(ConfigException.class, () -> Overrides.apply(every, Map.of("testEvery", 0)));
    }

    private static List<Double> testColumn(Path history) throws IOException {
        List<String> lines = Files.readAllLines(history);
        int col = List.of(lines.get(0).split(",")).indexOf("test_top1");
        return lines.subList(1, lines.size()).stream().map(l -> Double.parseDouble(l.split(",")[col])).toList();
    }

    @Test
    void resumeGivesTheSameResultAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path resumed = dir.resolve("resumed");
        TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, straight, false, TrainListener.NONE);
        // The process "dies" right after epoch 1 has been checkpointed.
        TrainListener killer = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {
                throw new IllegalStateException("killed after epoch " + stats.epoch());
            }
        };
        assertThrows(IllegalStateException.class,
                () -> TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, resumed, false, killer));
        assertFalse(Files.exists(resumed.resolve("metrics.json")));
        assertEquals(2, Files.readAllLines(resumed.resolve("history.csv")).size());
        TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, resumed, true, TrainListener.NONE);

        assertEquals(lossAndAccuracyColumns(straight), lossAndAccuracyColumns(resumed));
        assertSameParameters(straight, resumed);
    }

    @Test
    void aCheckpointInsideAnEpochResumesToExactlyTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path resumed = dir.resolve("resumed");
        TrainingRun.execute(config(2), config(2), TrainObjective.hardLabels(), DATA, straight, false,
                CheckpointPolicy.EPOCHS_ONLY, TrainListener.NONE);
        // 40 batches an epoch; checkpoints every 7 batches; the process "dies" at batch 20 of epoch 2, after the
        // checkpoint of batch 14.
        TrainListener killer = killedAt(2, 20);
        CheckpointPolicy every7 = CheckpointPolicy.parse("7b");
        assertThrows(IllegalStateException.class, () -> TrainingRun.execute(config(2), config(2),
                TrainObjective.hardLabels(), DATA, resumed, false, every7, killer));
        Checkpoint.State state = Checkpoint.readState(RunDirectory.open(resumed).lastCheckpoint());
        assertEquals(1, state.epoch(), "epoch 1 complete");
        assertEquals(14, state.partial().batchesDone(), "and 14 batches of epoch 2");
        assertEquals(14 * 32, state.partial().seen());
        TrainingRun.execute(config(2), config(2), TrainObjective.hardLabels(), DATA, resumed, true, every7,
                TrainListener.NONE);
        assertEquals(lossAndAccuracyColumns(straight), lossAndAccuracyColumns(resumed));
        assertSameParameters(straight, resumed);
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointStartsAfreshWhenResumed(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path killed = dir.resolve("killed");
        TrainingRun.execute(config(1), TrainObjective.hardLabels(), DATA, straight, false, TrainListener.NONE);
        TrainListener killer = killedAt(1, 5);
        assertThrows(IllegalStateException.class, () -> TrainingRun.execute(config(1), TrainObjective.hardLabels(),
                DATA, killed, false, killer));
        assertFalse(Files.exists(RunDirectory.open(killed).lastCheckpoint()), "killed before any checkpoint");
        List<String> messages = new ArrayList<>();
        TrainingRun.execute(config(1), TrainObjective.hardLabels(), DATA, killed, true, new TrainListener() {
            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        });
        assertTrue(messages.stream().anyMatch(m -> m.contains("no checkpoint yet") && m.contains("afresh")),
                messages.toString());
        assertEquals(lossAndAccuracyColumns(straight), lossAndAccuracyColumns(killed));
        assertSameParameters(straight, killed);
    }

    @Test
    void aFullDiskStopsTheRunLosingNothingAndTheSameCommandFinishesIt(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path full = dir.resolve("full");
        Metrics reference = TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, straight, false,
                TrainListener.NONE).metrics();
        List<AutoCloseable> faults = new ArrayList<>();
        // the disk fills up once epoch 1 has been checkpointed
        TrainListener fillsUp = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {
                faults.add(org.distill4j.run.AtomicFiles.simulateFullDisk(full, 0));
            }
        };
        Exception e = assertThrows(Exception.class, () -> TrainingRun.execute(config(2), TrainObjective.hardLabels(),
                DATA, full, false, fillsUp));
        assertTrue(e.getMessage().startsWith("cannot write " + full.resolve("history.csv").toAbsolutePath())
                && e.getMessage().contains("No space left on device") && e.getMessage().contains("MB free there")
                && e.getMessage().contains("run the same command again"), e.getMessage());
        faults.forEach(f -> assertDoesNotThrow(f::close));
        RunDirectory run = RunDirectory.open(full);
        assertEquals(1, Checkpoint.readState(run.lastCheckpoint()).epoch(), "the last good checkpoint is intact");
        assertEquals(2, Files.readAllLines(run.history()).size(), "history as of that checkpoint");
        assertFalse(run.finished());
        try (var files = Files.walk(full)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no half-written file");
        }
        // the disk fills up again while the finished run writes metrics.json, its last file
        faults.clear();
        TrainListener atTheEnd = new TrainListener() {
            @Override
            public void onMessage(String message) {
                if (message.startsWith("measuring latency")) {
                    faults.add(org.distill4j.run.AtomicFiles.simulateFullDisk(full, 0));
                }
            }
        };
        e = assertThrows(Exception.class, () -> TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA,
                full, true, atTheEnd));
        assertTrue(e.getMessage().startsWith("cannot write " + run.metrics().toAbsolutePath()), e.getMessage());
        faults.forEach(f -> assertDoesNotThrow(f::close));
        assertEquals(2, Checkpoint.readState(run.lastCheckpoint()).epoch());
        // space is back: the same command finishes the run, as if nothing had happened
        Metrics m = TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, full, true, TrainListener.NONE)
                .metrics();
        assertEquals(reference.top1(), m.top1());
        assertEquals(reference.top1Best(), m.top1Best());
        assertEquals(lossAndAccuracyColumns(straight), lossAndAccuracyColumns(full));
        assertSameParameters(straight, full);
    }

    /** A listener that "kills" the run (throws) once batch {@code batch} of epoch {@code epoch} has been trained. */
    static TrainListener killedAt(int epoch, int batch) {
        return new TrainListener() {
            @Override
            public void onBatch(int e, int b, int batches, double loss, double top1, double ips) {
                if (e == epoch && b == batch) {
                    throw new IllegalStateException("killed at batch " + batch + " of epoch " + epoch);
                }
            }
        };
    }

    static void assertSameParameters(Path straight, Path resumed) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Pair<String, Parameter>> a = new ArrayList<>();
            SavedModel.load(straight.resolve("model"), manager).network().getParameters().forEach(a::add);
            List<Pair<String, Parameter>> b = new ArrayList<>();
            SavedModel.load(resumed.resolve("model"), manager).network().getParameters().forEach(b::add);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                NDArray x = a.get(i).getValue().getArray();
                NDArray y = b.get(i).getValue().getArray();
                assertEquals(0f, x.sub(y).abs().max().getFloat(), a.get(i).getKey() + " differs");
            }
        }
    }

    /** history.csv without its timing columns (images/s, seconds, loader wait vary from run to run). */
    private static List<String> lossAndAccuracyColumns(Path run) throws Exception {
        return Files.readAllLines(run.resolve("history.csv")).stream()
                .map(l -> String.join(",", Arrays.copyOfRange(l.split(","), 0, 6))).toList();
    }

    @Test
    void nonFiniteLossStopsWithTheEpochAndTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("nan");
        TrainObjective poisoned = new TrainObjective() {
            int steps;

            @Override
            public List<String> termNames() {
                return List.of("ce");
            }

            @Override
            public StudentLoss prepare(NDArray images, NDArray labels, Step step) {
                boolean poison = ++steps == 45; // 40 batches per epoch: the 45th step is in epoch 2
                return student -> {
                    NDArray ce = org.distill4j.loss.CrossEntropy.loss(student.logits(), labels);
                    return LossTerms.of("ce", poison ? ce.mul(Float.NaN) : ce);
                };
            }

            @Override
            public String method() {
                return "poisoned";
            }
        };
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> TrainingRun.execute(config(3), poisoned, DATA, out, false, TrainListener.NONE));
        assertEquals(2, e.epoch());
        assertEquals(5, e.batch());
        RunDirectory run = RunDirectory.open(out);
        assertTrue(e.getMessage().contains(run.lastCheckpoint().toString()), e.getMessage());
        assertFalse(Files.exists(run.metrics()));
        // The named checkpoint is intact: the run resumes from it.
        Metrics m = TrainingRun.execute(config(2), TrainObjective.hardLabels(), DATA, out, true, TrainListener.NONE)
                .metrics();
        assertEquals(2, m.epochs());
    }
}
