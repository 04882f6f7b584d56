package org.distill4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.distill4j.model.Architecture;
import org.distill4j.model.FoldedNetwork;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model of the zoo, exported to ONNX and run by ONNX Runtime (through DJL's OnnxRuntime engine), gives the
 * logits distill4j's own eval-mode forward gives, to 1e-4 absolute (or, where float32 rounding alone is larger, as
 * on resnet101/110/152, to three times distill4j's own folded-against-unfolded difference), with BatchNorm statistics far from the
 * identity so that a folding which ignored them would fail; the file names its input and output, leaves the batch
 * free, and carries the class names and normalisation.
 */
class OnnxExportTest {
    private static final int SIZE = 32;
    private static final int CALIBRATION_STEPS = 25;
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(5);
        Engine.getEngine("OnnxRuntime"); // DJL's engine creates ONNX Runtime's environment, with its thread pool
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<String> zoo() {
        return Architecture.NAMES.stream();
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void onnxRuntimeGivesDistill4jsLogits(String name) throws Exception {
        int width = Architecture.parse(name).hasWidth() ? 8 : 0;
        SavedModel.Loaded model = model(new ModelSpec(name, width, 10, 3), SIZE);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(model, manager, file);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(new Shape(3, 3, SIZE, SIZE));
            float[] want = model.network().features(new ParameterStore(sub, false), x, false).logits().toFloatArray();
            float[] got = runOnnx(file, x);
            double diff = maxAbsDiff(want, got);
            double rounding;
            double foldedDiff;
            try (FoldedNetwork folded = model.network().fold(sub)) {
                float[] deployed = folded.features(x).logits().toFloatArray();
                rounding = maxAbsDiff(want, deployed);
                foldedDiff = maxAbsDiff(deployed, got);
            }
            System.out.printf("onnx-agreement %s max|diff| %.3g, against distill4j folded %.3g (distill4j folded vs"
                    + " unfolded %.3g) max|logit| %.3g%n", name, diff, foldedDiff, rounding, maxAbs(want));
            assertTrue(maxAbs(want) > 0.5, name + ": logits near zero, the comparison would prove nothing");
            // Float32 rounding alone moves a 100+-layer net's logits by more than 1e-4: distill4j's own folded copy
            // differs from its unfolded forward by 1-5e-4 on resnet101/152. ONNX Runtime sums in yet another order: it
            // may differ by three times that (resnet110 once gave 1.35e-4 against a rounding of 6.2e-5 on an AMD EPYC).
            double bound = Math.max(1e-4, 3 * rounding);
            assertTrue(diff <= bound, name + ": ONNX Runtime logits differ from distill4j's by " + diff + " > " + bound);
        }
    }

    @Test
    void fileNamesItsInputOutputAndMetadata() throws Exception {
        SavedModel.Loaded model = model(new ModelSpec("resnet18", 4, 3, 1), 28);
        Path file = dir.resolve("m.onnx");
        OnnxExport.write(model, manager, file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            assertEquals(List.of("images"), List.copyOf(session.getInputNames()));
            assertEquals(List.of("logits"), List.copyOf(session.getOutputNames()));
            TensorInfo in = (TensorInfo) session.getInputInfo().get("images").getInfo();
            assertEquals(List.of(-1L, 1L, 28L, 28L), List.of(box(in.getShape())));
            TensorInfo out = (TensorInfo) session.getOutputInfo().get("logits").getInfo();
            assertEquals(List.of(-1L, 3L), List.of(box(out.getShape())));
            OnnxModelMetadata meta = session.getMetadata();
            assertEquals("distill4j", meta.getProducerName());
            assertEquals("[\"sandal\",\"shirt\",\"sneaker\"]", meta.getCustomMetadataValue(OnnxExport.CLASSES).get());
            assertEquals("[0.25]", meta.getCustomMetadataValue(OnnxExport.MEAN).get());
            assertEquals("[0.5]", meta.getCustomMetadataValue(OnnxExport.STD).get());
            assertEquals("[1,28,28]", meta.getCustomMetadataValue(OnnxExport.INPUT_SIZE).get());
        }
        onnx.Onnx.ModelProto proto = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(OnnxExport.OPSET, proto.getOpsetImport(0).getVersion());
        assertTrue(proto.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("BatchNormalization")),
                "BatchNorm is folded");
    }

    /**
     * A model of that spec as training leaves one: BatchNorm's affine parameters drawn far from the identity
     * (gamma in [0.5, 1.5], beta in [-0.5, 0.5]), then its running statistics taken from train-mode forwards of
     * images like the test's, so that they are far from (0, 1) too but keep the activations at a trained
     * network's scale (random statistics make a 110-layer ResNet's logits reach 1e9, where float rounding alone
     * exceeds any absolute bound).
     */
    private static SavedModel.Loaded model(ModelSpec spec, int size) {
        Network net = Models.createInitialized(spec, manager, size, size);
        Random rnd = new Random(spec.name().hashCode());
        for (Parameter p : net.getParameters().values()) {
            boolean gamma = p.getName().equals("gamma");
            if (gamma || p.getName().equals("beta")) {
                float[] v = new float[(int) p.getArray().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (gamma ? 0.5f : -0.5f) + rnd.nextFloat();
                }
                p.getArray().set(v);
            }
        }
        try (NDManager sub = manager.newSubManager()) { // momentum 0.9: 0.9^25 = 7% of the initial (0, 1) left
            ParameterStore ps = new ParameterStore(sub, false);
            for (int i = 0; i < CALIBRATION_STEPS; i++) {
                try (NDManager step = sub.newSubManager()) {
                    net.features(ps, step.randomNormal(new Shape(8, spec.inChannels(), size, size)), true);
                }
            }
        }
        List<String> classes = spec.numClasses() == 3 ? List.of("sandal", "shirt", "sneaker")
                : java.util.stream.IntStream.range(0, spec.numClasses()).mapToObj(c -> "c" + c).toList();
        float[] mean = new float[spec.inChannels()];
        float[] std = new float[spec.inChannels()];
        java.util.Arrays.fill(mean, 0.25f);
        java.util.Arrays.fill(std, 0.5f);
        return new SavedModel.Loaded(net, new SavedModel.Info(spec.name(), spec.width(), spec.numClasses(),
                spec.inChannels(), size, size, mean, std, classes, "test"));
    }

    private static float[] runOnnx(Path file, NDArray x) throws Exception {
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(file).optEngine("OnnxRuntime").build();
        try (ZooModel<NDList, NDList> onnx = criteria.loadModel();
                Predictor<NDList, NDList> predictor = onnx.newPredictor();
                NDManager ort = onnx.getNDManager().newSubManager()) {
            NDArray input = ort.create(x.toFloatArray(), x.getShape());
            input.setName("images");
            return predictor.predict(new NDList(input)).singletonOrThrow().toFloatArray();
        }
    }

    private static Long[] box(long[] v) {
        return java.util.Arrays.stream(v).boxed().toArray(Long[]::new);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
