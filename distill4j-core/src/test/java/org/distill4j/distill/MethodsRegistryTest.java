package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Network;
import org.distill4j.model.Features;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.train.SgdMomentum;
import org.distill4j.train.TrainObjective;
import org.junit.jupiter.api.Test;

/** Properties every registered method must have, on tiny random networks and tensors. */
class MethodsRegistryTest {
    static final int B = 6;
    static final int SIZE = 16;

    static Teacher teacher(NDManager manager) {
        Network net = Models.createInitialized(new ModelSpec("resnet50-cbam", 4, 10, 3), manager, SIZE, SIZE);
        SavedModel.Info info = new SavedModel.Info("resnet50-cbam", 4, 10, 3, SIZE, SIZE, new float[] {0, 0, 0},
                new float[] {1, 1, 1}, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "synthetic");
        return new Teacher(net, info, manager);
    }

    static List<float[]> snapshot(Network net) {
        List<float[]> values = new ArrayList<>();
        net.getParameters().values().forEach(p -> values.add(p.getArray().toFloatArray()));
        return values;
    }

    @Test
    void everyMethodGivesFiniteTermsAndOnlyTheStudentLearns() {
        for (String name : Methods.names()) {
            Engine.getInstance().setRandomSeed(5);
            try (NDManager manager = NDManager.newBaseManager()) {
                Teacher teacher = teacher(manager);
                Network student = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, SIZE, SIZE);
                List<Parameter> trainable = new ArrayList<>();
                student.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
                SgdMomentum sgd = new SgdMomentum(trainable, 0.9, 5e-4, manager);
                MethodConfig method = Methods.preset(name);
                TrainObjective objective = new DistillObjective(teacher, Methods.build(method), Methods.describe(method));
                List<float[]> teacherBefore = snapshot(teacher.network());
                List<float[]> studentBefore = new ArrayList<>();
                trainable.forEach(p -> studentBefore.add(p.getArray().toFloatArray()));

                NDArray images = manager.randomNormal(new Shape(B, 3, SIZE, SIZE));
                NDArray labels = manager.create(new long[] {0, 1, 2, 3, 4, 5});
                TrainObjective.StudentLoss loss = objective.prepare(images, labels, null, null);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    Features out = student.features(new ParameterStore(manager, false), images, true);
                    LossTerms terms = loss.apply(out);
                    assertEquals(objective.termNames(), List.copyOf(terms.terms().keySet()), name);
                    terms.terms().forEach((k, v) -> assertTrue(Float.isFinite(v.getFloat()), name + " " + k + " = " + v));
                    collector.backward(terms.total());
                }
                sgd.step(0.1f);

                List<float[]> teacherAfter = snapshot(teacher.network());
                for (int i = 0; i < teacherBefore.size(); i++) {
                    assertArrayEquals(teacherBefore.get(i), teacherAfter.get(i), name + ": teacher parameter " + i + " changed");
                }
                for (int i = 0; i < trainable.size(); i++) {
                    assertFalse(java.util.Arrays.equals(studentBefore.get(i), trainable.get(i).getArray().toFloatArray()),
                            name + ": student parameter " + trainable.get(i).getName() + " did not change");
                }
                teacher.network().getParameters().values()
                        .forEach(p -> assertFalse(p.requiresGradient(), name + ": teacher parameter trainable"));
            }
        }
    }

    @Test
    void distillationTermsVanishWhenTheStudentIsTheTeacher() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Teacher teacher = teacher(manager);
            Network copy = Models.createInitialized(new ModelSpec("resnet50-cbam", 4, 10, 3), manager, SIZE, SIZE);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            teacher.network().saveParameters(new DataOutputStream(bytes));
            copy.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDArray images = manager.randomNormal(new Shape(B, 3, SIZE, SIZE));
            NDArray labels = manager.create(new long[] {0, 1, 2, 3, 4, 5});
            for (String name : List.of("kd", "at", "hmat", "kd-at", "kd-causal-at")) {
                MethodConfig m = Methods.preset(name);
                Distiller d = Methods.build(m);
                TeacherOutputs t = teacher.outputs(images, labels, d.needs());
                Features same = copy.features(new ParameterStore(manager, false), images, false);
                LossTerms terms = d.loss(same, t, labels);
                terms.terms().forEach((k, v) -> {
                    if (!k.equals("ce")) {
                        assertEquals(0f, v.getFloat(), 1e-5f, name + " " + k);
                    }
                });
            }
        }
    }

    @Test
    void presetsAndOverrides() {
        MethodConfig seed = Methods.preset("seed");
        assertTrue(seed.causal() && seed.beta() > 0 && seed.gamma() > 0 && seed.lambda() == 0.9 && seed.temperature() == 4);
        assertEquals(List.of("ce", "soft", "align", "attn1", "attn2", "attn3", "attn4"), Methods.build(seed).termNames());
        assertEquals(List.of("ce"), Methods.build(Methods.preset("student-only")).termNames());
        assertTrue(Methods.describe(seed).contains("CausalAT"), Methods.describe(seed));
        ConfigException e = assertThrows(ConfigException.class, () -> Methods.preset("crd"));
        assertTrue(e.getMessage().contains("kd-causal-at"), e.getMessage());
        assertThrows(ConfigException.class, () -> Overrides.apply(seed, Map.of("attnWeights", List.of(1.0))));
        assertThrows(ConfigException.class, () -> Overrides.apply(seed, Map.of("alpha", 0, "beta", 0, "gamma", 0)));
        MethodConfig hmat = Overrides.apply(Methods.preset("hmat"), Map.of("attnStages", List.of(3, 4),
                "attnWeights", List.of(0.5, 2.0)));
        assertEquals(List.of("ce", "attn3", "attn4"), Methods.build(hmat).termNames());
    }
}
