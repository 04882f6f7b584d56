package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.DataSplit;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.data.ViewSchedule;
import org.distill4j.model.SavedModel;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher bank: with K = epochs it reproduces online distillation on the same views step by step; it is
 * reused, rebuilt when its key changes, resumed after an interrupted build, and refuses a damaged file.
 */
class TeacherBankTest {
    static final DataSplit DATA = SyntheticDataset.split(192, 64, 10, 3, 16, 5);
    static final Augmentation AUGMENT = new Augmentation(4, true);
    @TempDir
    static Path dir;
    static Path teacherRun;

    static TrainConfig student(int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4, "dataset", "synthetic",
                "epochs", epochs, "batchSize", 32, "lr", 0.05, "seed", 3L, "device", "cpu", "augment", true));
    }

    static MethodConfig seedMethod() {
        return Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 3));
    }

    /** What a method reads of the test teacher when it distils the test student. */
    static java.util.Set<Signal> signals(MethodConfig method, Teacher teacher, NDManager manager) {
        return bind(method, teacher, manager).teacherSignals();
    }

    static Method bind(MethodConfig method, Teacher teacher, NDManager manager) {
        return DistillationRun.bind(new DistillConfig(teacherRun.toString(), student(1), method), teacher, DATA.train(),
                manager);
    }

    @BeforeAll
    static void trainTeacher() throws Exception {
        teacherRun = dir.resolve("teacher");
        TrainConfig t = Overrides.apply(student(1), Map.of("model", "resnet18-cbam", "width", 8));
        TrainingRun.execute(t, TrainObjective.hardLabels(), DATA, teacherRun, false, TrainListener.NONE);
    }

    /** Records the running mean loss after every step: equal running means mean equal step losses. */
    static final class StepLosses implements TrainListener {
        final List<Double> means = new ArrayList<>();

        @Override
        public void onBatch(int epoch, int batch, int batches, double meanLoss, double meanTop1, double ips) {
            means.add(meanLoss);
        }
    }

    /** Online distillation on the bank's views: the reference the bank must reproduce. */
    static StepLosses online(int epochs, ViewSchedule views, Path out) throws Exception {
        StepLosses losses = new StepLosses();
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = Teacher.load(teacherRun, manager);
            ImageDataset train = DATA.train();
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            DistillObjective objective = new DistillObjective(teacher, bind(seedMethod(), teacher, manager), views,
                    "online");
            TrainingRun.execute(student(epochs), student(epochs), objective, DATA, out, false, losses);
        }
        return losses;
    }

    static StepLosses banked(int epochs, TeacherBankConfig bank, Path out, Path bankDir) throws Exception {
        StepLosses losses = new StepLosses();
        DistillConfig config = new DistillConfig(teacherRun.toString(), student(epochs), seedMethod(), bank);
        DistillationRun.execute(config, DATA, out, false, losses, bankDir, null);
        return losses;
    }

    @Test
    void withOneViewPerEpochTheBankReproducesOnlineDistillationStepByStep() throws Exception {
        int epochs = 2;
        StepLosses online = online(epochs, new ViewSchedule(11, epochs), dir.resolve("online"));
        StepLosses fp32 = banked(epochs, new TeacherBankConfig(epochs, 11, "fp32"), dir.resolve("fp32"),
                dir.resolve("banks"));
        StepLosses fp16 = banked(epochs, new TeacherBankConfig(epochs, 11, "fp16"), dir.resolve("fp16"),
                dir.resolve("banks"));
        assertEquals(2 * (192 / 32), online.means.size());
        assertEquals(online.means.size(), fp32.means.size());
        int firstEpoch = online.means.size() / epochs;
        double worst16 = 0;
        for (int i = 0; i < online.means.size(); i++) {
            double a = online.means.get(i);
            assertEquals(a, fp32.means.get(i), 1e-4 * Math.abs(a), "step " + (i + 1) + " (fp32 bank)");
            if (i < firstEpoch) {
                worst16 = Math.max(worst16, Math.abs(fp16.means.get(i) - a) / Math.abs(a));
            }
        }
        // Half precision rounds each stored value by up to 2^-11 relative: the first step's loss moves by far
        // less than that, and over the first epoch the two students stay close (0.15% seen); after that they part
        // as any two trainings do, by an amount that depends on the processor's kernels (1.0% by step 12 on an
        // AVX-512 Intel, 9% on an AVX2 AMD EPYC), so only the first epoch is held to a bound.
        assertEquals(online.means.get(0), fp16.means.get(0), 1e-4 * online.means.get(0), "fp16 bank, step 1");
        assertTrue(worst16 < 1e-2, "fp16 bank: worst relative loss difference in epoch 1: " + worst16);
        // A different view seed shows other crops: the same run then differs from the first step on.
        StepLosses other = banked(epochs, new TeacherBankConfig(epochs, 12, "fp32"), dir.resolve("other-seed"),
                dir.resolve("banks"));
        assertNotEquals(online.means.get(0), other.means.get(0), 1e-6);
    }

    @Test
    void bankRecordsHoldWhatTheTeacherComputesForThatView() throws Exception {
        ImageDataset train = DATA.train();
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = Teacher.load(teacherRun, manager);
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            java.util.Set<Signal> needs = signals(seedMethod(), teacher, manager);
            TeacherBank.Key key = TeacherBank.Key.of(SavedModel.sha256(SavedModel.modelDir(teacherRun)), train, AUGMENT,
                    new TeacherBankConfig(3, 5, "fp32"), needs);
            TeacherBank bank = TeacherBank.openOrBuild(dir.resolve("records"), key, teacher, train, AUGMENT,
                    train.channelMean(), train.channelStd(), manager, TrainListener.NONE);
            assertEquals(192L * 3 * bank.layout().recordBytes(), Files.size(bank.file()));
            // epoch 5 shows view (5 - 1) mod 3 = 1, shuffled with a seed the bank never saw
            try (BatchLoader loader = BatchLoader.builder().setDataset(train).setBatchSize(16).optAugmentation(AUGMENT)
                    .optShuffle(true).optSeed(99).optEpoch(5).optViews(bank.schedule()).build();
                    NDManager step = manager.newSubManager()) {
                HostBatch batch = loader.next();
                assertArrayEquals(new int[16], java.util.Arrays.stream(batch.views()).map(v -> v - 1).toArray());
                NDList arrays = batch.toNDList(step);
                TeacherOutputs live = teacher.outputs(arrays.get(0), arrays.get(1), needs);
                TeacherOutputs stored = bank.outputs(arrays.get(0), arrays.get(1), batch.indices(), batch.views(), needs);
                assertEquals(needs, stored.signals().keySet());
                for (Signal s : needs) {
                    assertClose(live.get(s), stored.get(s));
                }
            }
        }
    }

    private static void assertClose(NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4f * Math.max(1f, Math.abs(e[i])), "value " + i);
        }
    }

    @Test
    void aBankIsReusedRebuiltWhenItsKeyChangesResumedAfterAnInterruptionAndCheckedOnRead() throws Exception {
        java.util.Set<Signal> needs = java.util.Set.of(new Signal.Logits());
        ImageDataset train = DATA.train().head(100); // one build batch per view
        Path banks = dir.resolve("lifecycle");
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = Teacher.load(teacherRun, manager);
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            String sha = SavedModel.sha256(SavedModel.modelDir(teacherRun));
            TeacherBank.Key key = TeacherBank.Key.of(sha, train, AUGMENT, new TeacherBankConfig(3, 1, "fp16"), needs);

            // Interrupted during view 1: views 0 was recorded, so the resumed build does views 1 and 2 only.
            TrainListener killer = new TrainListener() {
                int calls;

                @Override
                public void onProgress(String task, long done, long total, double rate) {
                    if (++calls == 2) {
                        throw new Error("killed");
                    }
                }
            };
            assertThrows(Error.class, () -> TeacherBank.openOrBuild(banks, key, teacher, train, AUGMENT,
                    train.channelMean(), train.channelStd(), manager, killer));
            assertFalse(Files.exists(TeacherBank.fileFor(banks, key)));
            List<Long> resumed = new ArrayList<>();
            TeacherBank bank = TeacherBank.openOrBuild(banks, key, teacher, train, AUGMENT, train.channelMean(),
                    train.channelStd(), manager, progressInto(resumed));
            assertEquals(List.of(200L, 300L), resumed, "records done after each batch built on resume");

            // Byte for byte what an uninterrupted build writes
            Path fresh = dir.resolve("lifecycle-fresh");
            TeacherBank whole = TeacherBank.openOrBuild(fresh, key, teacher, train, AUGMENT, train.channelMean(),
                    train.channelStd(), manager, TrainListener.NONE);
            assertArrayEquals(Files.readAllBytes(whole.file()), Files.readAllBytes(bank.file()));

            // Same key: reused without running the teacher
            List<Long> again = new ArrayList<>();
            TeacherBank reused = TeacherBank.openOrBuild(banks, key, teacher, train, AUGMENT, train.channelMean(),
                    train.channelStd(), manager, progressInto(again));
            assertEquals(List.of(), again);
            assertEquals(bank.file(), reused.file());

            // Another K (or seed, teacher, data, precision, stored outputs) is another bank
            TeacherBank.Key four = TeacherBank.Key.of(sha, train, AUGMENT, new TeacherBankConfig(4, 1, "fp16"), needs);
            assertNotEquals(key.id(), four.id());
            assertNotEquals(key.id(), TeacherBank.Key.of("0".repeat(64), train, AUGMENT,
                    new TeacherBankConfig(3, 1, "fp16"), needs).id());
            // Without augmentation every view is the same image: one is stored
            assertEquals(1, TeacherBank.Key.of(sha, train, Augmentation.none(), new TeacherBankConfig(4, 1, "fp16"),
                    needs).views());

            // A method needing more than the bank holds is refused with what is missing
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bank.checkCovers(signals(seedMethod(), teacher, manager)));
            assertTrue(e.getMessage().contains("also reads [map1") && e.getMessage().contains("mask3/3/0.0"),
                    e.getMessage());

            // One flipped byte fails that record's checksum, with what to do
            try (RandomAccessFile f = new RandomAccessFile(bank.file().toFile(), "rw")) {
                long at = 7L * 3 * bank.layout().recordBytes() + 9; // image 7, view 0: a logit
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x10);
            }
            TeacherBank damaged = TeacherBank.openOrBuild(banks, key, teacher, train, AUGMENT,
                    train.channelMean(), train.channelStd(), manager, TrainListener.NONE);
            try (NDManager step = manager.newSubManager()) {
                NDArray none = step.zeros(new ai.djl.ndarray.types.Shape(2));
                IllegalStateException bad = assertThrows(IllegalStateException.class,
                        () -> damaged.outputs(none, none, new int[] {6, 7}, new int[] {0, 0}, needs));
                assertTrue(bad.getMessage().contains("corrupt") && bad.getMessage().contains("image 7"),
                        bad.getMessage());
                TeacherOutputs ok = damaged.outputs(none, none, new int[] {6}, new int[] {2}, needs);
                assertEquals(new ai.djl.ndarray.types.Shape(1, 10), ok.logits().getShape());
            }
        }
    }

    private static TrainListener progressInto(List<Long> calls) {
        return new TrainListener() {
            @Override
            public void onProgress(String task, long done, long total, double rate) {
                calls.add(done);
            }
        };
    }
}
