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

/** Forward shapes, the tail used by Integrated Gradients, and save/load, at width 8 to stay fast. */
class CifarResNetTest {

    private static final int W = 8;
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

    private static CifarResNet model(String name, int inChannels) {
        return Models.createInitialized(new ModelSpec(name, W, 10, inChannels), manager, 32, 32);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50-cbam"})
    void stageShapesOn32x32And28x28(String name) {
        int e = name.startsWith("resnet50") ? 4 : 1;
        checkShapes(model(name, 3), 3, 32, new long[] {32, 16, 8, 4}, e);
        checkShapes(model(name, 1), 1, 28, new long[] {28, 14, 7, 4}, e);
    }

    private static void checkShapes(CifarResNet net, int channels, int size, long[] sides, int e) {
        ParameterStore ps = new ParameterStore(manager, false);
        Shape input = new Shape(2, channels, size, size);
        try (NDManager sub = manager.newSubManager()) {
            Features f = net.features(ps, sub.randomNormal(input), false);
            assertEquals(new Shape(2, 10), f.logits().getShape());
            Shape[] predicted = net.getOutputShapes(new Shape[] {input});
            assertEquals(5, predicted.length);
            assertEquals(f.logits().getShape(), predicted[0]);
            for (int s = 1; s <= 4; s++) {
                long c = (long) W * e << (s - 1);
                Shape expected = new Shape(2, c, sides[s - 1], sides[s - 1]);
                assertEquals(expected, f.stage(s).getShape(), "stage " + s);
                assertEquals(expected, predicted[s], "getOutputShapes stage " + s);
                assertEquals(c, net.stageChannels(s));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50-cbam"})
    void forwardTailFromEveryStageGivesTheSameLogits(String name) {
        CifarResNet net = model(name, 3);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            Features f = net.features(ps, sub.randomNormal(new Shape(2, 3, 32, 32)), false);
            for (int s = 1; s <= 4; s++) {
                NDArray tail = net.forwardTail(ps, f.stage(s), s, false);
                assertTrue(tail.allClose(f.logits(), 1e-5, 1e-6, false), "stage " + s);
            }
            assertThrows(IllegalArgumentException.class, () -> net.forwardTail(ps, f.stage(2), 3, false));
            assertThrows(IllegalArgumentException.class, () -> net.forwardTail(ps, f.stage(4), 5, false));
        }
    }

    @Test
    void gradientsFlowThroughTheTail() {
        CifarResNet net = model("resnet50-cbam", 3);
        net.freezeParameters(true); // like the teacher under Integrated Gradients
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray stage3 = net.features(ps, sub.randomNormal(new Shape(2, 3, 32, 32)), false).stage(3);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                stage3.setRequiresGradient(true);
                NDArray logit = net.forwardTail(ps, stage3, 3, false).get(":, 3").sum(); // ()
                gc.backward(logit);
            }
            NDArray grad = stage3.getGradient(); // (2, 16W, 8, 8)
            assertEquals(stage3.getShape(), grad.getShape());
            assertTrue(grad.abs().sum().getFloat() > 0f, "gradient at stage 3 is zero");
        }
    }

    @Test
    void savedParametersReloadIntoAFreshInstance() throws Exception {
        ModelSpec spec = new ModelSpec("resnet18-cbam", W, 10, 3);
        CifarResNet net = Models.createInitialized(spec, manager, 32, 32);
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(new Shape(2, 3, 32, 32));
            net.features(ps, x, true); // moves BatchNorm running stats away from 0/1, so they are tested too
            NDArray expected = net.features(ps, x, false).logits();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            net.saveParameters(new DataOutputStream(bytes));
            CifarResNet fresh = Models.create(spec);
            fresh.loadParameters(sub, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

            NDArray actual = fresh.features(new ParameterStore(sub, false), x, false).logits();
            assertTrue(actual.contentEquals(expected));
            assertEquals(Models.countParameters(net), Models.countParameters(fresh));
            // A resumed student must learn: trainable parameters require gradients after loading.
            for (Parameter p : fresh.getParameters().values()) {
                assertEquals(p.requiresGradient(), p.getArray().hasGradient(), p.getName());
            }
            NDArray other = model("resnet18-cbam", 3).features(ps, x, false).logits();
            assertFalse(other.allClose(expected), "a differently initialised model gives the same logits");
        }
    }

    @Test
    void featuresAreOneBasedAndInputChannelsAreChecked() {
        CifarResNet net = model("resnet18", 3);
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
