package org.distill4j.distill;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.run.RunLock;
import org.distill4j.train.CheckpointPolicy;
import org.distill4j.train.Devices;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainingRun;

/**
 * The {@code distill} command as a function: loads and freezes the teacher, checks that it fits the student's data,
 * binds the method to the pair (each term checks what it reads and sizes its parts), and trains the student with the
 * method's loss through the same loop, run directory, checkpoints and metrics as {@code train}. With a bank config the
 * teacher's signals come from a teacher bank, unless they would not fit in {@code teacherBank.maxGB}: then the teacher
 * runs online, and metrics.json's {@code teacherSource} says why.
 */
public final class DistillationRun {
    private DistillationRun() {}

    public static TrainingRun.Result execute(DistillConfig config, Path out, boolean resume, TrainListener progress)
            throws IOException {
        return execute(config, TrainingRun.loadData(config.student()), out, resume, progress);
    }

    public static TrainingRun.Result execute(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress) throws IOException {
        return execute(config, data, out, resume, progress, null, null);
    }

    /**
     * @param bankDir     where the teacher bank lives when the config asks for one (null: {@code out/teacher-bank});
     *                    runs that share a directory share banks
     * @param bankSignals what the bank stores beyond this method's signals, so that other methods can reuse it (null:
     *                    this method's only)
     */
    public static TrainingRun.Result execute(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress, Path bankDir, Set<Signal> bankSignals) throws IOException {
        return execute(config, data, out, resume, progress, bankDir, bankSignals, CheckpointPolicy.DEFAULT);
    }

    /**
     * @param checkpoint when the student's run writes checkpoints inside an epoch
     * @throws RunLock.HeldException when another live process is writing {@code out}
     */
    public static TrainingRun.Result execute(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress, Path bankDir, Set<Signal> bankSignals, CheckpointPolicy checkpoint)
            throws IOException {
        return execute(config, data, out, resume, progress, bankDir, bankSignals, checkpoint, true);
    }

    /** @param measureSpeed as in {@link TrainingRun}: false in a study, which measures each architecture once */
    public static TrainingRun.Result execute(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress, Path bankDir, Set<Signal> bankSignals, CheckpointPolicy checkpoint,
            boolean measureSpeed) throws IOException {
        // locked before the teacher bank is built inside it, and held (re-entrantly) through training
        try (RunLock lock = RunLock.acquire(out, "distillation")) {
            return distill(config, data, out, resume, progress, bankDir, bankSignals, checkpoint, measureSpeed);
        }
    }

    private static TrainingRun.Result distill(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress, Path bankDir, Set<Signal> bankSignals, CheckpointPolicy checkpoint,
            boolean measureSpeed) throws IOException {
        TrainConfig student = config.student();
        if (student.peers() > 1) {
            throw new ConfigException("peers: " + student.peers() + " trains networks together by mutual learning, "
                    + "from the labels and each other, with no teacher; distilling from a teacher takes peers: 1 "
                    + "(or train the peers with `distill4j train --peers N`, or a study variant of method student-only)");
        }
        Path teacherPath = Path.of(config.teacher());
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(student.device()));
                Teacher teacher = Teacher.load(teacherPath, manager)) {
            ImageDataset train = data.train();
            checkCompatible(teacher.info(), train, config.teacher());
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            Method method = bind(config, teacher, train, manager);
            if (teacher.ensemble() != null) {
                teacher.ensemble().checkTemperatures(Methods.resolve(config.method()));
            }
            Set<Signal> signals = method.teacherSignals();
            DistillObjective objective;
            String source;
            if (config.teacherBank() == null) {
                source = "online";
                objective = new DistillObjective(teacher, method, null, source);
            } else {
                Set<Signal> stored = new TreeSet<>(signals);
                if (bankSignals != null) {
                    stored.addAll(bankSignals);
                }
                Augmentation augmentation = TrainingRun.augmentation(student);
                TeacherBank.Key key = TeacherBank.Key.of(Teacher.fingerprint(teacherPath), train,
                        augmentation, config.teacherBank(), stored);
                long bytes = TeacherBank.estimateBytes(valuesPerImage(teacher, train, stored, manager), key.records(),
                        key.bytesPerValue());
                if (bytes > config.teacherBank().maxBytes()) {
                    source = String.format(Locale.ROOT, "online: the bank of %s would take %.1f GB, over "
                            + "teacherBank.maxGB = %s", String.join(", ", key.signals()), bytes / 1e9,
                            Methods.num(config.teacherBank().maxGB()));
                    objective = new DistillObjective(teacher, method, null, source);
                } else {
                    TeacherBank bank = TeacherBank.openOrBuild(bankDir != null ? bankDir : out.resolve("teacher-bank"),
                            key, teacher, train, augmentation, train.channelMean(), train.channelStd(), manager,
                            progress);
                    bank.checkCovers(signals);
                    source = "bank " + bank.file().getFileName();
                    objective = new DistillObjective(bank, method, bank.schedule(), source);
                }
            }
            progress.onMessage("teacher " + teacher.name() + " from " + config.teacher() + ", "
                    + source + "; method " + objective.method());
            return TrainingRun.execute(student, config, objective, data, out, resume, checkpoint, progress,
                    measureSpeed);
        }
    }

    /**
     * The method bound to this teacher and the student the config trains on {@code train}'s images.
     *
     * @throws ConfigException when a term does not fit the pair, or reads what the teacher cannot give (a
     *     TorchScript teacher's pooled embedding, say)
     */
    public static Method bind(DistillConfig config, Teacher teacher, ImageDataset train, NDManager manager) {
        TrainConfig student = config.student();
        ModelSpec spec = new ModelSpec(student.model(), student.width(), train.numClasses(), train.channels());
        try (NDManager scratch = manager.newSubManager()) {
            PairShapes pair = new PairShapes(
                    PairShapes.Net.probe(Models.createInitialized(spec, scratch, train.height(), train.width()),
                            scratch, train.height(), train.width()),
                    teacher.shapes(scratch, train.height(), train.width()));
            Method method = Methods.bind(config.method(), pair);
            teacher.requireSignals(method.teacherSignals(), method.config().name());
            return method;
        }
    }

    /** Values per image of each signal, from the teacher run once on two blank images. */
    public static Map<Signal, Long> valuesPerImage(Teacher teacher, ImageDataset train, Set<Signal> signals,
            NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            var images = scratch.zeros(new ai.djl.ndarray.types.Shape(2, train.channels(), train.height(), train.width()));
            var labels = scratch.zeros(new ai.djl.ndarray.types.Shape(2), ai.djl.ndarray.types.DataType.INT64);
            TeacherOutputs out = teacher.outputs(images, labels, signals);
            Map<Signal, Long> values = new java.util.TreeMap<>();
            out.signals().forEach((s, v) -> values.put(s, v.getShape().size() / 2));
            return values;
        }
    }

    private static void checkCompatible(SavedModel.Info t, ImageDataset train, String teacherRun) {
        if (t.channels() != train.channels() || t.height() != train.height() || t.imageWidth() != train.width()
                || t.numClasses() != train.numClasses()) {
            throw new ConfigException(String.format("teacher %s expects %dx%dx%d images and %d classes (trained on %s), "
                    + "but the student's data %s has %dx%dx%d images and %d classes; distil on the teacher's dataset",
                    teacherRun, t.channels(), t.height(), t.imageWidth(), t.numClasses(), t.dataset(), train.name(),
                    train.channels(), train.height(), train.width(), train.numClasses()));
        }
    }
}
