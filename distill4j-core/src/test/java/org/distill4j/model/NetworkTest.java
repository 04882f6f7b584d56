package org.distill4j.model;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every family of the zoo must do for training, distillation and Integrated Gradients: run on 1- and 3-channel
 * inputs of 32 and 28 px, run from any stage to the same logits, pass gradients through that tail, train (every
 * parameter gets a gradient), and save and reload exactly. The seed's ResNets at width 8 to stay fast.
 */
class NetworkTest {

    private static final int W = 8;
    /** One small member of every family and block type. */
    static final String[] FAMILY = {"resnet18", "resnet50-cbam", "resnet20", "resnet8x4", "wrn-16-2", "wrn-16-1",
        "vgg8", "mobile_half", "shufflenetv1", "shufflenetv2-0.5x"};
    private static NDManager manager;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(7);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Network model(String name, int inChannels) {
        return Models.createInitialized(spec(name, inChannels), manager, 32, 32);
    }

    static ModelSpec spec(String name, int inChannels) {
        return new ModelSpec(name, Architecture.parse(name).hasWidth() ? W : 0, 10, inChannels);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50-cbam"})
    void stageShapesOn32x32And28x28(String name) {
        int e = name.startsWith("resnet50") ? 4 : 1;
        checkShapes(model(name, 3), 3, 32, new long[] {32, 16, 8, 4}, e);
        checkShapes(model(name, 1), 1, 28, new long[] {28, 14, 7, 4}, e);
    }

    private static void checkShapes(Network net, int channels, int size, long[] sides, int e) {
        ParameterStore ps = new ParameterStore(manager, false);
        Shape input = new Shape(2, channels, size, size);
        try (NDManager sub = manager.newSubManager()) {
            Features f = net.features(ps, sub.randomNormal(input), false);
            assertEquals(new Shape(2, 10), f.logits().getShape());
            assertEquals(f.logits().getShape(), net.getOutputShapes(new Shape[] {input})[0]);
            for (int s = 1; s <= 4; s++) {
                long c = (long) W * e << (s - 1);
                Shape expected = new Shape(2, c, sides[s - 1], sides[s - 1]);
                assertEquals(expected, f.stage(s).getShape(), "stage " + s);
                assertEquals(c, net.stageChannels(s));
            }
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("FAMILY")
    void forwardTailFromEveryStageGivesTheSameLogits(String name) {
        Network net = model(name, 3);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            Features f = net.features(ps, sub.randomNormal(new Shape(2, 3, 32, 32)), false);
            int n = net.stageCount();
            assertEquals(n, f.stageCount());
            for (int s = 1; s <= n; s++) {
                assertEquals(net.stageChannels(s), f.stage(s).getShape().get(1), "stage " + s + " channels");
                NDArray tail = net.forwardTail(ps, f.stage(s), s, false);
                assertTrue(tail.allClose(f.logits(), 1e-4, 1e-5, false), "stage " + s);
            }
            assertThrows(IllegalArgumentException.class, () -> net.forwardTail(ps, f.stage(n), n + 1, false));
            if (net.stageChannels(1) != net.stageChannels(2)) {
                assertThrows(IllegalArgumentException.class, () -> net.forwardTail(ps, f.stage(1), 2, false));
            }
        }
    }

    /** Training mode on 1-channel 28x28 input (Fashion-MNIST): a loss reaches every trainable parameter. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("FAMILY")
    void everyParameterLearnsOnGrayscale28(String name) {
        Network net = Models.createInitialized(spec(name, 1), manager, 28, 28);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(new Shape(4, 1, 28, 28));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Features f = net.features(ps, x, true);
                assertEquals(new Shape(4, 10), f.logits().getShape());
                assertEquals(4, f.pooled().getShape().get(0));
                gc.backward(f.logits().square().sum());
            }
            for (Parameter p : net.getParameters().values()) {
                if (p.requiresGradient()) {
                    assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, name + " " + p.getName());
                }
            }
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("FAMILY")
    void gradientsFlowThroughTheTail(String name) {
        Network net = model(name, 3);
        net.freezeParameters(true); // like the teacher under Integrated Gradients
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray stage3 = net.features(ps, sub.randomNormal(new Shape(2, 3, 32, 32)), false).stage(2);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                stage3.setRequiresGradient(true);
                NDArray logit = net.forwardTail(ps, stage3, 2, false).get(":, 3").sum(); // ()
                gc.backward(logit);
            }
            NDArray grad = stage3.getGradient(); // (2, C_2, H_2, W_2)
            assertEquals(stage3.getShape(), grad.getShape());
            assertTrue(grad.abs().sum().getFloat() > 0f, "gradient at stage 2 is zero");
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"resnet18-cbam", "wrn-16-1", "vgg8", "mobile_half",
        "shufflenetv1", "shufflenetv2-0.5x"})
    void savedParametersReloadIntoAFreshInstance(String name) throws Exception {
        ModelSpec spec = spec(name, 3);
        Network net = Models.createInitialized(spec, manager, 32, 32);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(new Shape(2, 3, 32, 32));
            net.features(ps, x, true); // moves BatchNorm running stats away from 0/1, so they are tested too
            NDArray expected = net.features(ps, x, false).logits();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            net.saveParameters(new DataOutputStream(bytes));
            Network fresh = Models.create(spec);
            fresh.loadParameters(sub, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

            NDArray actual = fresh.features(new ParameterStore(sub, false), x, false).logits();
            assertTrue(actual.contentEquals(expected));
            assertEquals(Models.countParameters(net), Models.countParameters(fresh));
            // A resumed student must learn: trainable parameters require gradients after loading.
            for (Parameter p : fresh.getParameters().values()) {
                assertEquals(p.requiresGradient(), p.getArray().hasGradient(), p.getName());
            }
            NDArray other = model(name, 3).features(ps, x, false).logits();
            assertFalse(other.allClose(expected), "a differently initialised model gives the same logits");
        }
    }

    @Test
    void featuresAreOneBasedAndInputChannelsAreChecked() {
        Network net = model("resnet18", 3);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            Features f = net.features(ps, sub.randomNormal(new Shape(1, 3, 16, 16)), false);
            assertEquals(4, f.stages().size());
            assertArrayEquals(new long[] {1, W, 16, 16}, f.stage(1).getShape().getShape());
            assertThrows(IllegalArgumentException.class, () -> f.stage(0));
            assertThrows(IllegalArgumentException.class, () -> f.stage(5));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> net.features(ps, sub.randomNormal(new Shape(1, 1, 16, 16)), false));
        }
    }
}
