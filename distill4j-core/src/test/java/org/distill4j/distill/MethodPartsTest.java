package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.run.Json;
import org.distill4j.train.Checkpoint;
import org.distill4j.train.EpochStats;
import org.distill4j.train.ObjectiveParts;
import org.distill4j.train.SgdMomentum;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a method owns is trained with the student, saved in its checkpoints, restored on resume (an interrupted run
 * ends exactly where an uninterrupted one does), counted apart from the student, and never exported with it.
 */
class MethodPartsTest {
    static final DataSplit DATA = SyntheticDataset.split(160, 64, 10, 3, 16, 9);
    static final long SEED = 2;
    @TempDir
    static Path dir;
    static Path teacherRun;

    static TrainConfig student(int epochs) {
        return Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4, "dataset", "synthetic",
                "epochs", epochs, "batchSize", 32, "lr", 0.05, "seed", SEED, "device", "cpu", "maxBatches", 3,
                "augment", false));
    }

    @BeforeAll
    static void trainTeacher() throws Exception {
        teacherRun = dir.resolve("teacher");
        TrainConfig t = Overrides.apply(student(1), Map.of("model", "resnet18-cbam", "width", 8));
        TrainingRun.execute(t, TrainObjective.hardLabels(), DATA, teacherRun, false, TrainListener.NONE);
    }

    /**
     * Every preset whose terms own trainable modules or state; CRD with more negatives than the 160 records, so it
     * takes the path that scores every record (and updates the memory it read, in place, before the backward pass).
     */
    static Map<String, MethodConfig> owning() {
        Map<String, MethodConfig> m = new LinkedHashMap<>();
        for (String name : List.of("fitnets", "cckd", "vid", "kdafm", "crd", "hmat", "hybrid-at")) {
            m.put(name, name.equals("crd") ? Methods.withOverrides(Methods.preset(name), Map.of("negatives", 256))
                    : Methods.preset(name));
        }
        return m;
    }

    @Test
    void partsTrainSurviveCheckpointAndResumeAndStayOutOfTheStudent() throws Exception {
        for (Map.Entry<String, MethodConfig> e : owning().entrySet()) {
            String name = e.getKey();
            DistillConfig config = new DistillConfig(teacherRun.toString(), student(2), e.getValue());
            Path straight = dir.resolve(name + "-straight");
            Path resumed = dir.resolve(name + "-resumed");
            Metrics m = DistillationRun.execute(config, DATA, straight, false, TrainListener.NONE).metrics();
            TrainListener killer = new TrainListener() {
                @Override
                public void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {
                    throw new IllegalStateException("killed after epoch " + stats.epoch());
                }
            };
            assertThrows(IllegalStateException.class,
                    () -> DistillationRun.execute(config, DATA, resumed, false, killer), name);
            Metrics r = DistillationRun.execute(config, DATA, resumed, true, TrainListener.NONE).metrics();

            assertEquals(lossColumns(straight), lossColumns(resumed), name + ": the resumed run's losses");
            assertEquals(m.top1(), r.top1(), 0.0, name);
            assertEquals(m.params(), r.params(), name);
            try (NDManager manager = NDManager.newBaseManager()) {
                assertEquals(Models.countParameters(Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3),
                        manager, 16, 16)), m.params(), name + ": params is the student's alone");
            }

            Snapshot initial = snapshot(config, null);
            Snapshot end = snapshot(config, straight.resolve("checkpoints").resolve("last.ckpt"));
            Snapshot resumedEnd = snapshot(config, resumed.resolve("checkpoints").resolve("last.ckpt"));
            assertEquals(initial.count, m.methodParams(), name + ": methodParams counts the parts");
            boolean trains = !initial.trainable.isEmpty();
            assertEquals(!name.equals("hybrid-at"), trains, name + " owns trainable modules");
            for (String p : initial.trainable.keySet()) {
                assertFalse(java.util.Arrays.equals(initial.trainable.get(p), end.trainable.get(p)),
                        name + ": part " + p + " did not train");
                assertArrayEquals(end.trainable.get(p), resumedEnd.trainable.get(p), 1e-6f,
                        name + ": part " + p + " after resume");
            }
            for (String s : initial.state.keySet()) {
                assertFalse(java.util.Arrays.equals(initial.state.get(s), end.state.get(s)),
                        name + ": state " + s + " never changed");
                assertArrayEquals(end.state.get(s), resumedEnd.state.get(s), 1e-6f, name + ": state " + s + " after resume");
            }
            assertFalse(initial.trainable.isEmpty() && initial.state.isEmpty(), name + " owns nothing");
            // the exported student holds the student's parameters only
            assertEquals(Files.size(straight.resolve("model").resolve("parameters.bin")),
                    Files.size(dir.resolve(name + "-resumed").resolve("model").resolve("parameters.bin")));
            Metrics stored = Json.readJson(straight.resolve("metrics.json"), Metrics.class);
            assertEquals(m.methodParams(), stored.methodParams());
        }
    }

    /** A method's parts as a run creates them (checkpoint null) or as a checkpoint holds them. */
    record Snapshot(Map<String, float[]> trainable, Map<String, float[]> state, long count) {}

    static Snapshot snapshot(DistillConfig config, Path checkpoint) throws Exception {
        ImageDataset train = DATA.train();
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = Teacher.load(teacherRun, manager);
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            Method method = DistillationRun.bind(config, teacher, train, manager);
            Engine.getInstance().setRandomSeed((int) SEED); // as TrainingRun: the seed, the student, then the parts
            Network student = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 16, 16);
            ObjectiveParts parts = method.createParts(new Parts.Context(manager, train.labels(), 10, SEED));
            if (checkpoint != null) {
                List<Parameter> trainable = new ArrayList<>();
                student.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
                trainable.addAll(parts.trainable());
                try (SgdMomentum sgd = new SgdMomentum(trainable, 0.9, 5e-4, manager)) {
                    Checkpoint.load(checkpoint, student, sgd, parts, manager);
                }
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, float[]> state = new LinkedHashMap<>();
            int t = 0;
            for (Parts p : method.parts()) {
                String prefix = (t++) + ".";
                p.parameters().forEach((k, v) -> {
                    if (v.requiresGradient()) {
                        values.put(prefix + k, v.getArray().toFloatArray());
                    }
                });
                for (String s : p.stateNames()) {
                    NDArray a = p.state(s);
                    state.put(prefix + s, a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
                }
            }
            return new Snapshot(values, state, parts.parameterCount());
        }
    }

    /** history.csv without its timing columns. */
    static List<String> lossColumns(Path run) throws Exception {
        return Files.readAllLines(run.resolve("history.csv")).stream().map(l -> {
            String[] c = l.split(",");
            return String.join(",", java.util.Arrays.copyOf(c, c.length - 3));
        }).toList();
    }
}
