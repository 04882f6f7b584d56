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
import org.distill4j.config.TermConfig;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.distill4j.train.ObjectiveParts;
import org.distill4j.train.SgdMomentum;
import org.distill4j.train.TrainObjective;
import org.junit.jupiter.api.Test;

/** Properties every registered preset must have, on tiny random networks and tensors; parsing and overrides. */
class MethodsRegistryTest {
    static final int B = 6;
    static final int SIZE = 16;

    static Teacher teacher(NDManager manager) {
        Network net = Models.createInitialized(new ModelSpec("resnet50-cbam", 4, 10, 3), manager, SIZE, SIZE);
        SavedModel.Info info = new SavedModel.Info("resnet50-cbam", 4, 10, 3, SIZE, SIZE, new float[] {0, 0, 0},
                new float[] {1, 1, 1}, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "synthetic");
        return new Teacher(net, info, manager);
    }

    static PairShapes pair(Network student, Teacher teacher, NDManager manager) {
        return new PairShapes(PairShapes.Net.probe(student, manager, SIZE, SIZE),
                PairShapes.Net.probe(teacher.network(), manager, SIZE, SIZE));
    }

    static List<float[]> values(List<Parameter> parameters) {
        List<float[]> values = new ArrayList<>();
        parameters.forEach(p -> values.add(p.getArray().toFloatArray()));
        return values;
    }

    /**
     * One SGD step of every preset: finite terms under the declared names, the teacher untouched and frozen, every
     * student parameter and every trainable part of the method changed.
     */
    @Test
    void everyPresetGivesFiniteTermsAndTrainsTheStudentAndItsPartsButNotTheTeacher() {
        for (String name : Methods.names()) {
            Engine.getInstance().setRandomSeed(5);
            try (NDManager manager = NDManager.newBaseManager()) {
                Teacher teacher = teacher(manager);
                Network student = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, SIZE, SIZE);
                Method method = Methods.bind(Methods.preset(name), pair(student, teacher, manager));
                TrainObjective objective = new DistillObjective(teacher, method);
                int[] trainLabels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1};
                ObjectiveParts parts = objective.bind(new TrainObjective.Context(manager, trainLabels, 10, 1));
                List<Parameter> trainable = new ArrayList<>();
                student.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
                List<Parameter> own = parts.trainable();
                trainable.addAll(own);
                SgdMomentum sgd = new SgdMomentum(trainable, 0.9, 5e-4, manager);
                List<float[]> teacherBefore = values(new ArrayList<>(teacher.network().getParameters().values()));
                List<float[]> before = values(trainable);

                NDArray images = manager.randomNormal(new Shape(B, 3, SIZE, SIZE));
                NDArray labels = manager.create(new long[] {0, 1, 2, 3, 4, 5});
                TrainObjective.StudentLoss loss = objective.prepare(images, labels,
                        new TrainObjective.Step(new int[] {0, 1, 2, 3, 4, 5}, null, 30, 0));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    Features out = student.features(new ParameterStore(manager, false), images, true);
                    LossTerms terms = loss.apply(out);
                    assertEquals(objective.termNames(), List.copyOf(terms.terms().keySet()), name);
                    terms.terms().forEach((k, v) -> assertTrue(Float.isFinite(v.getFloat()), name + " " + k + " = " + v));
                    collector.backward(terms.total());
                }
                sgd.step(0.1f);

                List<float[]> teacherAfter = values(new ArrayList<>(teacher.network().getParameters().values()));
                for (int i = 0; i < teacherBefore.size(); i++) {
                    assertArrayEquals(teacherBefore.get(i), teacherAfter.get(i), name + ": teacher parameter " + i + " changed");
                }
                for (int i = 0; i < trainable.size(); i++) {
                    assertFalse(java.util.Arrays.equals(before.get(i), trainable.get(i).getArray().toFloatArray()),
                            name + ": " + (i < trainable.size() - own.size() ? "student" : "method") + " parameter "
                                    + trainable.get(i).getName() + " did not change");
                }
                teacher.network().getParameters().values()
                        .forEach(p -> assertFalse(p.requiresGradient(), name + ": teacher parameter trainable"));
            }
        }
    }

    /** A student identical to its teacher leaves nothing to distil: every term that compares like to like is 0. */
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
            for (String name : List.of("kd", "at", "h-at", "kd-at", "kd-causal-at", "hybrid-at", "sp", "rkd", "pkt",
                    "nst", "dkd")) {
                Method m = Methods.bind(Methods.preset(name), pair(copy, teacher, manager));
                TeacherOutputs t = teacher.outputs(images, labels, m.teacherSignals());
                Features same = copy.features(new ParameterStore(manager, false), images, false);
                LossTerms terms = m.loss(new TermInput(same, t, labels, null, 30, 0));
                terms.terms().forEach((k, v) -> {
                    if (!k.equals("ce")) {
                        assertEquals(0f, v.getFloat(), 1e-5f, name + " " + k);
                    }
                });
            }
        }
    }

    @Test
    void presetsParseOverridesAndExplicitLists() {
        MethodConfig seed = Methods.preset("seed");
        assertEquals(List.of("ce", "kd", "align", "at"), seed.terms().stream().map(TermConfig::term).toList());
        assertEquals(Boolean.TRUE, seed.term("at").options().get("causal"));
        assertEquals(4.0, seed.term("kd").options().get("temperature"));
        assertEquals(0.1, seed.term("ce").weight());
        assertTrue(Methods.preset("student-only").labelsOnly());
        assertFalse(seed.labelsOnly());
        // every option resolved, so two spellings of one method are equal
        assertEquals(seed, Methods.parse(Map.of("name", "seed")));
        assertEquals(seed, Methods.resolve(new MethodConfig("seed", List.of(new TermConfig("ce", 0.1, Map.of()),
                new TermConfig("kd", 0.9, Map.of()), new TermConfig("align", 0.5, Map.of()),
                new TermConfig("at", 1000, Map.of("causal", true, "stages", List.of(1, 2, 3)))))));
        assertEquals(List.of(1, 2, 3), Methods.preset("kd-at").term("at").options().get("stages"),
                "the seed's attention presets leave out the 4x4 stage 4 (docs/at-ablation.md)");
        assertEquals(List.of(1, 2, 3), Methods.preset("kd-causal-at").term("at").options().get("stages"));

        // overrides: a key of the one term that has it, a qualified key, a nested map with a weight
        MethodConfig m8 = Methods.parse(Map.of("name", "seed", "igSteps", 8));
        assertEquals(8, m8.term("at").options().get("igSteps"));
        MethodConfig staged = Methods.parse(Map.of("name", "h-at", "at.stages", List.of(1, 2, 3)));
        assertEquals(List.of(1, 2, 3), staged.term("at").options().get("stages"));
        MethodConfig weighted = Methods.parse(Map.of("name", "kd", "kd", Map.of("weight", 0.5, "temperature", 2)));
        assertEquals(0.5, weighted.term("kd").weight());
        assertEquals(2.0, weighted.term("kd").options().get("temperature"));

        // an explicit list of weighted terms, options inline
        MethodConfig mine = Methods.parse(Map.of("name", "mine", "terms", List.of(Map.of("term", "ce", "weight", 1),
                Map.of("term", "crd", "weight", 0.8, "negatives", 4096))));
        assertEquals("mine", mine.name());
        assertEquals(4096, mine.term("crd").options().get("negatives"));
        assertEquals(0.07, mine.term("crd").options().get("tau"));

        // errors name what is allowed
        ConfigException unknown = assertThrows(ConfigException.class, () -> Methods.preset("nope"));
        assertTrue(unknown.getMessage().contains("kd-causal-at") && unknown.getMessage().contains("crd"),
                unknown.getMessage());
        ConfigException key = assertThrows(ConfigException.class, () -> Methods.parse(Map.of("name", "kd", "temprature", 2)));
        assertTrue(key.getMessage().contains("'temprature'") && key.getMessage().contains("temperature"),
                key.getMessage());
        ConfigException range = assertThrows(ConfigException.class,
                () -> Methods.parse(Map.of("name", "crd", "tau", -1)));
        assertTrue(range.getMessage().contains("crd.tau") && range.getMessage().contains("> 0"), range.getMessage());
        ConfigException term = assertThrows(ConfigException.class, () -> Methods.parse(Map.of("name", "x",
                "terms", List.of(Map.of("term", "nope", "weight", 1)))));
        assertTrue(term.getMessage().contains("unknown term 'nope'") && term.getMessage().contains("afd"),
                term.getMessage());
        ConfigException option = assertThrows(ConfigException.class, () -> Methods.parse(Map.of("name", "x",
                "terms", List.of(Map.of("term", "kd", "weight", 1, "lambda", 0.9)))));
        assertTrue(option.getMessage().contains("term kd") && option.getMessage().contains("'lambda'"),
                option.getMessage());
        ConfigException ambiguous = assertThrows(ConfigException.class,
                () -> Methods.parse(Map.of("name", "crd-kd", "weight", 2)));
        assertTrue(ambiguous.getMessage().contains("unknown key 'weight'"), ambiguous.getMessage());
        ConfigException weights = assertThrows(ConfigException.class, () -> Methods.parse(Map.of("name", "h-at",
                "at.stages", List.of(1, 2), "at.weights", List.of(1.0, 2.0, 3.0))));
        assertTrue(weights.getMessage().contains("one weight per stage (2)"), weights.getMessage());
        assertThrows(ConfigException.class, () -> Methods.parse(Map.of("name", "kd", "kd.weight", -1)));
    }
}
