package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.distill4j.model.Features;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped PyTorch teacher (scripts/torchscript_teacher.py) gives in distill4j what it gave in PyTorch on the
 * fixture's four test images: logits and stage outputs to 1e-5, Integrated Gradients through each tail to 1e-4
 * (PyTorch autograd, the same definition); bad files and manifests are named with what to do.
 */
class TorchScriptTeacherTest {
    static final Path TEACHER = Path.of("../teachers/fashion-mnist-torch-resnet18-w8.pt");
    private static NDManager manager;
    private static NDList fixture;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        try (InputStream in = TorchScriptTeacherTest.class.getResourceAsStream("/torchscript/teacher-outputs.npz")) {
            fixture = NDList.decode(manager, in.readAllBytes());
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static NDArray fixture(String name) {
        for (NDArray a : fixture) {
            if (name.equals(a.getName()) || (name + ".npy").equals(a.getName())) {
                return a;
            }
        }
        throw new AssertionError("fixture has no " + name);
    }

    @Test
    void logitsStagesAndAttributionsMatchPyTorch() throws IOException {
        try (TorchScriptTeacher teacher = TorchScriptTeacher.load(TEACHER, manager);
                NDManager sub = manager.newSubManager()) {
            assertEquals(4, teacher.stageCount());
            assertEquals(10, teacher.info().numClasses());
            Features f = teacher.features(fixture("images"));
            assertClose(fixture("logits"), f.logits(), 1e-5, "logits");
            NDArray labels = fixture("labels");
            for (int s = 1; s <= 4; s++) {
                assertClose(fixture("stage" + s), f.stage(s), 1e-5, "stage " + s);
                int stage = s;
                NDArray ig = IntegratedGradients.attributions(h -> teacher.tail(h, stage), f.stage(s), labels, 8,
                        Teacher.IG_MAX_ROWS);
                assertClose(fixture("ig" + s), ig, 1e-4, "IG through tail" + s);
            }
        }
    }

    @Test
    void badFilesAndManifestsAreNamed() throws IOException {
        Path manifest = TorchScriptTeacher.manifestPath(TEACHER);
        String json = Files.readString(manifest);

        Path noManifest = Files.copy(TEACHER, dir.resolve("lonely.pt"));
        assertMessage(noManifest, "lonely.json is missing");

        Path garbage = Files.writeString(dir.resolve("garbage.pt"), "not torchscript");
        Files.writeString(dir.resolve("garbage.json"), json);
        assertMessage(garbage, "not a TorchScript file");

        Path malformed = Files.copy(TEACHER, dir.resolve("malformed.pt"));
        Files.writeString(dir.resolve("malformed.json"), "{ \"format\": ");
        assertMessage(malformed, "malformed manifest");

        Path fewer = Files.copy(TEACHER, dir.resolve("fewer.pt"));
        String withoutStage4 = json.substring(0, json.lastIndexOf("},")) + "}\n  ]\n}\n";
        Files.writeString(dir.resolve("fewer.json"), withoutStage4);
        assertMessage(fewer, "forward returns 5 outputs, its manifest lists 4");

        Path shape = Files.copy(TEACHER, dir.resolve("shape.pt"));
        Files.writeString(dir.resolve("shape.json"), json.replaceFirst("\"height\": 28", "\"height\": 32"));
        assertMessage(shape, "has shape");

        Path classes = Files.copy(TEACHER, dir.resolve("classes.pt"));
        Files.writeString(dir.resolve("classes.json"), json.replace("\"Ankle boot\"", "\"Ankle boot\", \"Hat\""));
        assertMessage(classes, "the logits have 10 classes, the manifest names 11");
    }

    @Test
    void aStageWithoutATailSaysWhatIsMissing() throws IOException {
        Path pt = Files.copy(TEACHER, dir.resolve("notail.pt"));
        Files.writeString(dir.resolve("notail.json"),
                Files.readString(TorchScriptTeacher.manifestPath(TEACHER)).replace("\"tail\": \"tail3\"", "\"tail\": null"));
        try (TorchScriptTeacher teacher = TorchScriptTeacher.load(pt, manager);
                NDManager sub = manager.newSubManager()) {
            assertFalse(teacher.hasTail(3));
            assertTrue(teacher.hasTail(2));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> teacher.tail(sub.zeros(new ai.djl.ndarray.types.Shape(1, 32, 7, 7)), 3));
            assertTrue(e.getMessage().contains("no tail method") && e.getMessage().contains("stage 3"), e.getMessage());
        }
    }

    private static void assertMessage(Path pt, String expected) {
        IOException e = assertThrows(IOException.class, () -> TorchScriptTeacher.load(pt, manager).close());
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(pt.getFileName().toString()
                .replace(".pt", "")), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private static void assertClose(NDArray want, NDArray got, double tol, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < w.length; i++) {
            diff = Math.max(diff, Math.abs(w[i] - g[i]));
            scale = Math.max(scale, Math.abs(w[i]));
        }
        System.out.printf("torchscript-agreement %s max|diff| %.3g max|value| %.3g%n", what, diff, scale);
        assertTrue(scale > 1e-3, what + " is near zero: the comparison would prove nothing");
        assertTrue(diff <= tol, what + ": max diff " + diff + " > " + tol);
    }
}
