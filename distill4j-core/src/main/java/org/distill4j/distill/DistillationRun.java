package org.distill4j.distill;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.distill4j.config.ConfigException;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
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
        TrainConfig student = config.student();
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(student.device()))) {
            Teacher teacher = Teacher.load(Path.of(config.teacher()), manager);
            checkCompatible(teacher.info(), data.train(), config.teacher());
            teacher.inputNormalization(data.train().channelMean(), data.train().channelStd(), manager);
            DistillObjective objective = new DistillObjective(teacher, Methods.build(config.method()),
                    Methods.describe(config.method()));
            progress.onMessage("teacher " + teacher.info().model() + " (width " + teacher.info().width() + ") from "
                    + config.teacher() + "; method " + objective.method());
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
