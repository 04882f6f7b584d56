package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.model.Models;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ensemble teacher against its members run one by one: the combined soft targets are the members' mean
 * probabilities at T (or mean logits), computed here in plain Java from each member loaded alone; feature signals
 * are one member's or the members' mean; members with their own input normalisation each get their own.
 */
class EnsembleTeacherTest {
    static final int SIZE = 16;
    static final int CLASSES = 3;
    static final float[] STUDENT_MEAN = {0.4f};
    static final float[] STUDENT_STD = {0.2f};
    @TempDir
    static Path dir;
    static List<Path> resnets = new ArrayList<>();
    static Path wrn;
    static Path otherClasses;

    @BeforeAll
    static void saveMembers() throws IOException {
        float[][] stats = {{0.3f, 0.25f}, {0.5f, 0.1f}, {0.2f, 0.4f}}; // each member normalises differently
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 3; i++) {
                Engine.getInstance().setRandomSeed(100 + i);
                resnets.add(save(m, "resnet18", 8, CLASSES, "r" + i, stats[i]));
            }
            Engine.getInstance().setRandomSeed(200);
            wrn = save(m, "wrn-16-1", 0, CLASSES, "wrn", stats[0]);
            otherClasses = save(m, "resnet18", 8, 4, "four", stats[0]);
        }
    }

    static Path save(NDManager m, String model, int width, int classes, String name, float[] stat) throws IOException {
        Path p = dir.resolve(name);
        Network net = Models.createInitialized(new ModelSpec(model, width, classes, 1), m, SIZE, SIZE);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        SavedModel.save(p, net, new SavedModel.Info(model, width, classes, 1, SIZE, SIZE, new float[] {stat[0]},
                new float[] {stat[1]}, names, "synthetic"));
        return p;
    }

    static Path ensembleFile(String name, String body) throws IOException {
        Path f = dir.resolve(name + EnsembleTeacher.SUFFIX);
        Files.writeString(f, body);
        return f;
    }

    static String members(Path... ps) {
        List<String> s = new ArrayList<>();
        for (Path p : ps) {
            s.add(dir.relativize(p).toString()); // relative to the file's folder
        }
        return "ensemble: [" + String.join(", ", s) + "]\n";
    }

    static NDArray images(NDManager m) {
        Random r = new Random(7);
        float[] x = new float[4 * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return m.create(x, new Shape(4, 1, SIZE, SIZE));
    }

    /** A teacher loaded from {@code path}, fed batches normalised with the student's statistics. */
    static Teacher load(Path path, NDManager m) throws IOException {
        Teacher t = Teacher.load(path, m);
        t.inputNormalization(STUDENT_MEAN, STUDENT_STD, m);
        return t;
    }

    static float[][] rows(NDArray a) {
        int b = (int) a.getShape().get(0);
        int k = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[b][k];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * k, out[i], 0, k);
        }
        return out;
    }

    static double[] softmax(float[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v / t);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Each member's logits for the batch, each member loaded alone. */
    static List<float[][]> memberLogits(NDManager m, NDArray x, NDArray labels) throws IOException {
        List<float[][]> out = new ArrayList<>();
        for (Path p : resnets) {
            try (Teacher t = load(p, m)) {
                out.add(rows(t.outputs(x, labels, Set.of(new Signal.Logits())).logits()));
            }
        }
        return out;
    }

    @Test
    void softTargetsAreTheMembersMeanProbabilitiesAtT() throws IOException {
        Path f = ensembleFile("probs", members(resnets.get(0), resnets.get(1), resnets.get(2)) + "temperature: 4\n");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m);
            NDArray labels = m.create(new int[] {0, 1, 2, 0});
            List<float[][]> zs = memberLogits(m, x, labels);
            float[][] ze;
            try (Teacher e = load(f, m)) {
                ze = rows(e.outputs(x, labels, Set.of(new Signal.Logits())).logits());
                assertEquals(3 * Models.countParameters(SavedModel.load(resnets.get(0), m).network()), e.parameters(),
                        "an ensemble's parameters are its members' sum");
            }
            double spread = 0;
            for (int b = 0; b < 4; b++) {
                double[] want = new double[CLASSES];
                for (float[][] z : zs) {
                    double[] p = softmax(z[b], 4);
                    for (int k = 0; k < CLASSES; k++) {
                        want[k] += p[k] / zs.size();
                    }
                }
                double[] got = softmax(ze[b], 4);
                for (int k = 0; k < CLASSES; k++) {
                    assertEquals(want[k], got[k], 1e-5, "image " + b + " class " + k);
                    spread = Math.max(spread, Math.abs(softmax(zs.get(0)[b], 4)[k] - want[k]));
                }
            }
            assertTrue(spread > 1e-3, "the members must disagree for the test to mean anything: " + spread);
        }
    }

    @Test
    void logitsCombineAsTheirMean() throws IOException {
        Path f = ensembleFile("logits", members(resnets.get(0), resnets.get(1), resnets.get(2)) + "combine: logits\n");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m);
            NDArray labels = m.create(new int[] {0, 1, 2, 0});
            List<float[][]> zs = memberLogits(m, x, labels);
            try (Teacher e = load(f, m)) {
                float[][] ze = rows(e.outputs(x, labels, Set.of(new Signal.Logits())).logits());
                for (int b = 0; b < 4; b++) {
                    for (int k = 0; k < CLASSES; k++) {
                        double want = (zs.get(0)[b][k] + zs.get(1)[b][k] + zs.get(2)[b][k]) / 3.0;
                        assertEquals(want, ze[b][k], 1e-5, "image " + b + " class " + k);
                    }
                }
            }
        }
    }

    @Test
    void featureSignalsComeFromTheNamedMemberOrTheMembersMean() throws IOException {
        Signal stage2 = new Signal.Stage(2, false, 0, 0);
        Signal mask = new Signal.Mask(3, 4, 0);
        Path named = ensembleFile("named", members(resnets.get(0), resnets.get(1)) + "features: 2\n");
        Path mean = ensembleFile("mean", members(resnets.get(0), resnets.get(1)) + "features: mean\n");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m);
            NDArray labels = m.create(new int[] {0, 1, 2, 0});
            float[] s0;
            float[] s1;
            float[] mask1;
            try (Teacher t0 = load(resnets.get(0), m); Teacher t1 = load(resnets.get(1), m)) {
                s0 = t0.outputs(x, labels, Set.of(stage2)).get(stage2).toFloatArray();
                TeacherOutputs o1 = t1.outputs(x, labels, Set.of(stage2, mask));
                s1 = o1.get(stage2).toFloatArray();
                mask1 = o1.get(mask).toFloatArray();
            }
            try (Teacher e = load(named, m)) {
                TeacherOutputs o = e.outputs(x, labels, Set.of(stage2, mask));
                // the ensemble reaches member 2's normalisation through member 1's: float rounding differs
                assertClose(s1, o.get(stage2).toFloatArray(), 1e-5, "member 2's stage output");
                assertClose(mask1, o.get(mask).toFloatArray(), 1e-4, "member 2's causal mask");
            }
            try (Teacher e = load(mean, m)) {
                float[] got = e.outputs(x, labels, Set.of(stage2)).get(stage2).toFloatArray();
                float[] want = new float[got.length];
                for (int i = 0; i < got.length; i++) {
                    want[i] = (s0[i] + s1[i]) / 2;
                }
                assertClose(want, got, 1e-5, "the members' mean stage output");
                ConfigException ex = assertThrows(ConfigException.class,
                        () -> e.requireSignals(Set.of(mask), "kd-causal-at"));
                assertTrue(ex.getMessage().contains("features: N"), ex.getMessage());
            }
        }
    }

    /** Equal within {@code rel} of the larger magnitude (at least 1). */
    static void assertClose(float[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double tol = rel * Math.max(1, Math.max(Math.abs(want[i]), Math.abs(got[i])));
            assertEquals(want[i], got[i], tol, what + ", element " + i);
        }
    }

    @Test
    void theFingerprintFollowsTheMembersAndHowTheyAreCombined() throws IOException {
        String two = members(resnets.get(0), resnets.get(1));
        String base = EnsembleTeacher.fingerprint(ensembleFile("a", two));
        assertEquals(base, EnsembleTeacher.fingerprint(ensembleFile("b", two + "combine: probabilities\n"
                + "temperature: 4\nfeatures: 1\n")), "the defaults spelled out are the same ensemble");
        assertNotEquals(base, EnsembleTeacher.fingerprint(ensembleFile("c", two + "temperature: 2\n")));
        assertNotEquals(base, EnsembleTeacher.fingerprint(ensembleFile("d", two + "combine: logits\n")));
        assertNotEquals(base, EnsembleTeacher.fingerprint(ensembleFile("e", two + "features: 2\n")));
        assertNotEquals(base, EnsembleTeacher.fingerprint(ensembleFile("f", members(resnets.get(1), resnets.get(0)))));
        assertEquals(base, Teacher.fingerprint(ensembleFile("g", two)), "Teacher.fingerprint dispatches to it");
    }

    @Test
    void badEnsemblesAreRefusedWithWhatToDo() throws IOException {
        String two = members(resnets.get(0), resnets.get(1));
        try (NDManager m = NDManager.newBaseManager()) {
            assertTrue(assertThrows(ConfigException.class, () -> EnsembleTeacher.readSpec(ensembleFile("one",
                    members(resnets.get(0))))).getMessage().contains("two or more"));
            assertTrue(assertThrows(ConfigException.class, () -> EnsembleTeacher.readSpec(ensembleFile("key",
                    two + "weights: [1, 2]\n"))).getMessage().contains("unknown key 'weights'"));
            assertTrue(assertThrows(ConfigException.class, () -> EnsembleTeacher.readSpec(ensembleFile("comb",
                    two + "combine: vote\n"))).getMessage().contains("probabilities or logits"));
            assertTrue(assertThrows(ConfigException.class, () -> EnsembleTeacher.readSpec(ensembleFile("feat",
                    two + "features: 3\n"))).getMessage().contains("1..2"));
            String missing = assertThrows(IOException.class, () -> EnsembleTeacher.check(ensembleFile("missing",
                    two.replace("]", ", nowhere]")))).getMessage();
            assertTrue(missing.contains("member") && missing.contains("nowhere"), missing);
            String shapes = assertThrows(ConfigException.class, () -> Teacher.load(ensembleFile("shapes",
                    members(resnets.get(0), wrn) + "features: mean\n"), m)).getMessage();
            assertTrue(shapes.contains("same feature shapes") && shapes.contains("features: 1"), shapes);
            String classes = assertThrows(ConfigException.class, () -> Teacher.load(ensembleFile("classes",
                    members(resnets.get(0), otherClasses)), m)).getMessage();
            assertTrue(classes.contains("classes 3 against 4"), classes);
        }
    }

    @Test
    void anEnsembleOfDifferentArchitecturesTeachesItsNamedMembersFeatures() throws IOException {
        Path f = ensembleFile("mixed", members(wrn, resnets.get(0)) + "features: 2\n");
        try (NDManager m = NDManager.newBaseManager(); Teacher e = load(f, m)) {
            assertEquals(4, e.stageCount(), "the resnet's four stages, not the WRN's three");
            assertEquals("ensemble-2", e.info().model());
            assertTrue(e.name().contains("member 2"), e.name());
            assertEquals(Files.size(wrn.resolve(SavedModel.PARAMETERS))
                    + Files.size(resnets.get(0).resolve(SavedModel.PARAMETERS)), Teacher.fileBytes(f));
        }
    }
}
