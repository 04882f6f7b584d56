package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.DistillationRun;
import org.distill4j.distill.Methods;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.Variant;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deep mutual learning as a run: two peers trained in one loop, each a run of its own (parameters, optimizer,
 * checkpoints, history, metrics), resumed together to exactly the uninterrupted result, with a checkpoint that a
 * kill left half-committed completed or discarded so that every peer resumes from one step.
 */
class MutualTrainingRunTest {
    static TrainConfig config(int epochs) {
        return Overrides.apply(TrainingRunTest.config(epochs), Map.of("peers", 2, "maxBatches", 12));
    }

    @Test
    void twoPeersTrainTogetherEachARunOfItsOwn(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("dml");
        Metrics m = TrainingRun.execute(config(2), TrainObjective.forTraining(config(2)), TrainingRunTest.DATA, out,
                false, TrainListener.NONE).metrics();
        assertEquals("dml (2 peers)", m.method());
        RunDirectory one = RunDirectory.open(out);
        RunDirectory two = one.peer(2);
        assertEquals(out.resolve("peers/peer-2"), two.root());
        for (RunDirectory r : List.of(one, two)) {
            for (Path p : List.of(r.config(), r.provenance(), r.history(), r.metrics(), r.lastCheckpoint(),
                    r.bestCheckpoint(), r.modelDir().resolve(SavedModel.PARAMETERS))) {
                assertTrue(Files.isRegularFile(p), p + " missing");
            }
            assertFalse(Files.exists(r.nextCheckpoint()), "every checkpoint committed");
            List<String> history = Files.readAllLines(r.history());
            assertEquals(3, history.size());
            List<String> columns = List.of(history.get(0).split(","));
            double mutual = Double.parseDouble(history.get(1).split(",")[columns.indexOf("loss_mutual")]);
            assertTrue(mutual > 0 && Double.isFinite(mutual), "each peer learns from the other: " + history);
            // each saved peer reloads and scores what its own metrics.json says
            Metrics own = Json.readJson(r.metrics(), Metrics.class);
            try (NDManager manager = NDManager.newBaseManager()) {
                SavedModel.Loaded loaded = SavedModel.load(r.modelDir(), manager);
                assertEquals(own.top1(), Accuracy.top1(loaded.network(), TrainingRunTest.DATA.test(),
                        loaded.info().mean(), loaded.info().std(), 64, manager), 1e-9);
            }
        }
        assertFalse(Arrays.equals(Files.readAllBytes(one.modelDir().resolve(SavedModel.PARAMETERS)),
                Files.readAllBytes(two.modelDir().resolve(SavedModel.PARAMETERS))), "two networks, not one twice");
        assertNotEquals(Files.readAllLines(one.history()).get(1), Files.readAllLines(two.history()).get(1));
        assertEquals(config(2), Json.readYaml(two.config(), TrainConfig.class));
    }

    @Test
    void aKillInsideAnEpochResumesEveryPeerToExactlyTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path resumed = dir.resolve("resumed");
        TrainConfig c = Overrides.apply(config(2), Map.of("maxBatches", 0));
        TrainObjective dml = TrainObjective.forTraining(c);
        TrainingRun.execute(c, c, dml, TrainingRunTest.DATA, straight, false, CheckpointPolicy.EPOCHS_ONLY,
                TrainListener.NONE);
        CheckpointPolicy every7 = CheckpointPolicy.parse("7b");
        assertThrows(IllegalStateException.class, () -> TrainingRun.execute(c, c, dml, TrainingRunTest.DATA, resumed,
                false, every7, TrainingRunTest.killedAt(2, 20)));
        for (int k = 1; k <= 2; k++) {
            Checkpoint.State s = Checkpoint.readState(new RunDirectory(resumed).peer(k).lastCheckpoint());
            assertEquals(1, s.epoch(), "peer " + k);
            assertEquals(14, s.partial().batchesDone(), "peer " + k + ": the checkpoint of batch 14 of epoch 2");
        }
        TrainingRun.execute(c, c, dml, TrainingRunTest.DATA, resumed, true, every7, TrainListener.NONE);
        for (int k = 1; k <= 2; k++) {
            Path a = new RunDirectory(straight).peer(k).root();
            Path b = new RunDirectory(resumed).peer(k).root();
            assertEquals(columns(a), columns(b), "peer " + k + "'s history");
            TrainingRunTest.assertSameParameters(a, b);
        }
    }

    @Test
    void aHalfCommittedCheckpointIsCompletedOrDiscardedSoEveryPeerResumesFromOneStep(@TempDir Path dir)
            throws Exception {
        TrainConfig c = config(2);
        TrainObjective dml = TrainObjective.forTraining(c);
        Path straight = dir.resolve("straight");
        TrainingRun.execute(c, dml, TrainingRunTest.DATA, straight, false, TrainListener.NONE);
        TrainListener killAfterEpoch1 = new TrainListener() {
            @Override
            public void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {
                throw new IllegalStateException("killed after epoch " + stats.epoch());
            }
        };
        RunDirectory s1 = new RunDirectory(straight);
        RunDirectory s2 = s1.peer(2);

        // Killed while writing epoch 2's checkpoints: peer 1's new one is written, peer 2's is not. Discarded.
        Path a = dir.resolve("discard");
        assertThrows(IllegalStateException.class,
                () -> TrainingRun.execute(c, dml, TrainingRunTest.DATA, a, false, killAfterEpoch1));
        Files.copy(s1.lastCheckpoint(), new RunDirectory(a).nextCheckpoint());
        List<String> messages = new ArrayList<>();
        TrainingRun.execute(c, dml, TrainingRunTest.DATA, a, true, messagesTo(messages));
        assertTrue(messages.stream().anyMatch(x -> x.startsWith("discarded")), messages.toString());
        assertTrue(messages.stream().anyMatch(x -> x.contains("after epoch 1")), messages.toString());
        for (int k = 1; k <= 2; k++) {
            assertEquals(columns(s1.peer(k).root()), columns(new RunDirectory(a).peer(k).root()));
            TrainingRunTest.assertSameParameters(s1.peer(k).root(), new RunDirectory(a).peer(k).root());
        }

        // Killed while renaming them: peer 1's is committed, peer 2's still next.ckpt. Completed, nothing retrained.
        Path b = dir.resolve("complete");
        assertThrows(IllegalStateException.class,
                () -> TrainingRun.execute(c, dml, TrainingRunTest.DATA, b, false, killAfterEpoch1));
        RunDirectory b1 = new RunDirectory(b);
        Files.copy(s1.lastCheckpoint(), b1.lastCheckpoint(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(s2.lastCheckpoint(), b1.peer(2).nextCheckpoint());
        for (int k = 1; k <= 2; k++) { // history is written before the checkpoints
            Files.copy(s1.peer(k).history(), b1.peer(k).history(), StandardCopyOption.REPLACE_EXISTING);
        }
        messages.clear();
        TrainListener count = messagesTo(messages);
        TrainingRun.execute(c, dml, TrainingRunTest.DATA, b, true, count);
        assertTrue(messages.stream().anyMatch(x -> x.startsWith("completed the checkpoint")), messages.toString());
        assertTrue(messages.stream().anyMatch(x -> x.contains("after epoch 2")), "nothing left to train: " + messages);
        for (int k = 1; k <= 2; k++) {
            assertEquals(Json.readJson(s1.peer(k).metrics(), Metrics.class).top1(),
                    Json.readJson(b1.peer(k).metrics(), Metrics.class).top1(), 0.0, "peer " + k);
            TrainingRunTest.assertSameParameters(s1.peer(k).root(), b1.peer(k).root());
        }
    }

    @Test
    void peersTrainFromLabelsNotFromATeacher(@TempDir Path dir) {
        TrainConfig c = config(1);
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(c, TrainObjective.hardLabels(),
                TrainingRunTest.DATA, dir.resolve("x"), false, TrainListener.NONE), "objective and config disagree");
        ConfigException e = assertThrows(ConfigException.class, () -> DistillationRun.execute(
                new DistillConfig(dir.resolve("teacher").toString(), c, Methods.preset("kd")), TrainingRunTest.DATA,
                dir.resolve("y"), false, TrainListener.NONE));
        assertTrue(e.getMessage().contains("peers: 1"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new Variant("v", Methods.preset("kd"), c));
        assertTrue(e.getMessage().contains("student-only"), e.getMessage());
        assertThrows(ConfigException.class, () -> Overrides.apply(c, Map.of("peers", 0)));
        assertThrows(ConfigException.class, () -> Overrides.apply(c, Map.of("peers", TrainConfig.MAX_PEERS + 1)));
    }

    private static TrainListener messagesTo(List<String> messages) {
        return new TrainListener() {
            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        };
    }

    /** history.csv up to test_top1, without the timing columns. */
    private static List<String> columns(Path run) throws Exception {
        return Files.readAllLines(run.resolve("history.csv")).stream()
                .map(l -> String.join(",", Arrays.copyOfRange(l.split(","), 0, 7))).toList();
    }
}
