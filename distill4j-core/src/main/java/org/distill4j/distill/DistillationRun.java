package org.distill4j.distill;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.train.Devices;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainingRun;

/**
 * The {@code distill} command as a function: loads and freezes the teacher, checks that it fits the
 * student's data, and trains the student with the method's loss through the same loop, run directory,
 * checkpoints and metrics as {@code train}.
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
     * @param bankDir   where the teacher bank lives when the config asks for one (null: {@code out/teacher-bank});
     *                  runs that share a directory share banks
     * @param bankNeeds what the bank stores beyond this method's needs, so that other methods can reuse it (null:
     *                  this method's needs only)
     */
    public static TrainingRun.Result execute(DistillConfig config, DataSplit data, Path out, boolean resume,
            TrainListener progress, Path bankDir, TeacherNeeds bankNeeds) throws IOException {
        TrainConfig student = config.student();
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(student.device()))) {
            Path teacherPath = Path.of(config.teacher());
            Teacher teacher = Teacher.load(teacherPath, manager);
            ImageDataset train = data.train();
            checkCompatible(teacher.info(), train, config.teacher());
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            ModelSpec studentSpec = new ModelSpec(student.model(), student.width(), train.numClasses(), train.channels());
            Methods.checkStages(config.method(), teacher.info().model(), teacher.network().stageCount(),
                    student.model(), Models.create(studentSpec).stageCount());
            Distiller distiller = Methods.build(config.method());
            String method = Methods.describe(config.method());
            DistillObjective objective;
            if (config.teacherBank() == null) {
                objective = new DistillObjective(teacher, distiller, method);
            } else {
                TeacherNeeds needs = bankNeeds == null ? distiller.needs() : bankNeeds.and(distiller.needs());
                Augmentation augmentation = TrainingRun.augmentation(student);
                TeacherBank.Key key = TeacherBank.Key.of(SavedModel.sha256(SavedModel.modelDir(teacherPath)), train,
                        augmentation, config.teacherBank(), needs);
                TeacherBank bank = TeacherBank.openOrBuild(bankDir != null ? bankDir : out.resolve("teacher-bank"),
                        key, teacher, train, augmentation, needs, train.channelMean(), train.channelStd(), manager,
                        progress);
                bank.checkCovers(distiller.needs());
                objective = new DistillObjective(bank, distiller, method, bank.schedule());
            }
            progress.onMessage("teacher " + teacher.info().spec().label() + " from " + config.teacher() + (config.teacherBank() == null ? ", online" : ", from its bank")
                    + "; method " + objective.method());
            return TrainingRun.execute(student, config, objective, data, out, resume, progress);
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
