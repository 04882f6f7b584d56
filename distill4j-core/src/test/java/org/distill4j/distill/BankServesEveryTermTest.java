package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
import org.distill4j.model.Features;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every preset, a step's loss terms from an fp32 teacher bank equal those of the same step with the teacher run
 * online: the bank stores every signal a term reads (logits, pooled embeddings, attention maps, feature maps, block
 * outputs, causal masks) as the teacher computes it.
 */
class BankServesEveryTermTest {
    static final DataSplit DATA = SyntheticDataset.split(64, 32, 10, 3, 16, 4);
    static final long SEED = 3;

    @Test
    void aStepFromAnFp32BankEqualsTheOnlineStep(@TempDir Path dir) throws Exception {
        TrainConfig student = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4,
                "dataset", "synthetic", "epochs", 1, "batchSize", 16, "seed", SEED, "device", "cpu", "augment", false));
        Path teacherRun = dir.resolve("teacher");
        TrainingRun.execute(Overrides.apply(student, Map.of("model", "resnet18-cbam", "maxBatches", 2)),
                TrainObjective.hardLabels(), DATA, teacherRun, false, TrainListener.NONE);
        ImageDataset train = DATA.train();
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = Teacher.load(teacherRun, manager);
            teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
            Map<String, MethodConfig> methods = new LinkedHashMap<>();
            Set<Signal> all = new TreeSet<>();
            for (String name : Methods.names()) {
                MethodConfig m = Methods.preset(name);
                if (m.labelsOnly()) {
                    continue;
                }
                m = name.startsWith("crd") ? Methods.withOverrides(m, Map.of("negatives", 32)) : m;
                m = m.term("at") != null && Boolean.TRUE.equals(m.term("at").options().get("causal"))
                        ? Methods.withOverrides(m, Map.of("igSteps", 4)) : m;
                methods.put(name, m);
                all.addAll(DistillationRun.bind(new DistillConfig(teacherRun.toString(), student, m), teacher, train,
                        manager).teacherSignals());
            }
            TeacherBank.Key key = TeacherBank.Key.of(SavedModel.sha256(SavedModel.modelDir(teacherRun)), train,
                    Augmentation.none(), new TeacherBankConfig(1, 0, "fp32"), all);
            TeacherBank bank = TeacherBank.openOrBuild(dir.resolve("bank"), key, teacher, train, Augmentation.none(),
                    train.channelMean(), train.channelStd(), manager, TrainListener.NONE);
            try (BatchLoader loader = BatchLoader.builder().setDataset(train).setBatchSize(16).optShuffle(true)
                    .optSeed(SEED).optEpoch(1).optViews(bank.schedule())
                    .optNormalization(train.channelMean(), train.channelStd()).build()) {
                HostBatch batch = loader.next();
                for (Map.Entry<String, MethodConfig> e : methods.entrySet()) {
                    DistillConfig config = new DistillConfig(teacherRun.toString(), student, e.getValue());
                    Map<String, Float> online = step(config, teacher, batch, manager, false, bank);
                    Map<String, Float> banked = step(config, teacher, batch, manager, true, bank);
                    assertEquals(online.keySet(), banked.keySet(), e.getKey());
                    online.forEach((term, v) -> {
                        float b = banked.get(term);
                        assertTrue(Float.isFinite(v), e.getKey() + " " + term);
                        assertEquals(v, b, 1e-5f * Math.max(Math.abs(v), 1e-3f), e.getKey() + " " + term);
                    });
                }
            }
        }
    }

    /** One step's loss terms for a fresh student and fresh parts (same seed both times). */
    private static Map<String, Float> step(DistillConfig config, Teacher teacher, HostBatch batch, NDManager manager,
            boolean fromBank, TeacherBank bank) {
        try (NDManager step = manager.newSubManager()) {
            ImageDataset train = DATA.train();
            Method method = DistillationRun.bind(config, teacher, train, step);
            Engine.getInstance().setRandomSeed((int) SEED);
            Network student = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), step, 16, 16);
            TrainObjective objective = fromBank ? new DistillObjective(bank, method, bank.schedule(), "bank")
                    : new DistillObjective(teacher, method);
            objective.bind(new TrainObjective.Context(step, train.labels(), 10, SEED));
            NDList arrays = batch.toNDList(step);
            TrainObjective.StudentLoss loss = objective.prepare(arrays.get(0), arrays.get(1),
                    new TrainObjective.Step(batch.indices(), batch.views(), 1, 0));
            Features out = student.features(new ParameterStore(step, false), arrays.get(0), true);
            Map<String, Float> values = new LinkedHashMap<>();
            loss.apply(out).terms().forEach((k, v) -> values.put(k, v.getFloat()));
            return values;
        }
    }
}
