package org.distill4j.distill;

import static org.distill4j.distill.IntegratedGradients.attributions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.distill4j.model.Network;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Integrated Gradients against its defining properties: completeness (attributions sum to F_y(f) - F_y(0)),
 * exactness for a linear tail, chunking invariance, and no side effects on the network or the inputs.
 */
class IntegratedGradientsTest {

    private static final int B = 8;
    private static final int C = 4;
    private static final int S = 6; // feature maps S x S
    private static final int K = 5;
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    /** Each test draws the same numbers whether it runs alone or after others. */
    @BeforeEach
    void seed() {
        Engine.getInstance().setRandomSeed(1);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /**
     * Conv 3x3 -> ReLU -> Conv 3x3 -> ReLU -> global average pool -> Linear, frozen. Biases are random: with
     * DJL's zero biases the net would be positively homogeneous, its gradient constant along the path, and
     * IG exact at any m, which would not test the Riemann sum.
     */
    private static Block convNet() {
        SequentialBlock net = new SequentialBlock();
        net.add(conv()).add(Activation.reluBlock()).add(conv()).add(Activation.reluBlock());
        net.add(Pool.globalAvgPool2dBlock()).add(Linear.builder().setUnits(K).build());
        net.setInitializer(new NormalInitializer(0.2f), Parameter.Type.BIAS);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, C, S, S));
        net.freezeParameters(true);
        return net;
    }

    private static Conv2d conv() {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(8)
                .build();
    }

    private static Function<NDArray, NDArray> tail(Block block) {
        ParameterStore ps = new ParameterStore(manager, false);
        return x -> block.forward(ps, new NDList(x), false).singletonOrThrow();
    }

    /** Returns per sample |sum(attr) - dF| / |dF| for the samples with |dF| > 0.1, dF = F_y(f) - F_y(0). */
    private static double[] completenessErrors(
            Function<NDArray, NDArray> tail, NDArray f, NDArray y, int steps) {
        try (NDManager sub = manager.newSubManager()) {
            f.tempAttach(sub);
            NDArray attr = IntegratedGradients.attributions(tail, f, y, steps, 4096);
            float[] sums = attr.reshape(f.getShape().get(0), -1).sum(new int[] {1}).toFloatArray();
            float[] atF = logitOf(tail.apply(f), y);
            float[] atZero = logitOf(tail.apply(f.zerosLike()), y);
            List<Double> errors = new ArrayList<>();
            for (int b = 0; b < sums.length; b++) {
                double delta = atF[b] - atZero[b];
                if (Math.abs(delta) > 0.1) {
                    errors.add(Math.abs(sums[b] - delta) / Math.abs(delta));
                }
            }
            return errors.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    private static float[] logitOf(NDArray logits, NDArray y) {
        return logits.mul(y.oneHot((int) logits.getShape().get(1))).sum(new int[] {1}).toFloatArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /**
     * The right Riemann sum's error is about (phi'(1) - phi'(0)) / 2m for phi(a) = F_y(a f): absolute, so a
     * sample with |dF| just above 0.1 shows the largest relative error. The per-sample 2% bound at m = 128
     * held for 9 of 10 seeds of this net (the tenth: 2.8%); the 1/m shrinking of the median held for all.
     */
    @Test
    void completenessOnASmallConvNetImprovesWithSteps() {
        Block net = convNet();
        Function<NDArray, NDArray> tail = tail(net);
        NDArray f = manager.randomUniform(0f, 2f, new Shape(B, C, S, S));
        NDArray y = manager.randomInteger(0, K, new Shape(B), DataType.INT64);
        double[] e16 = completenessErrors(tail, f, y, 16);
        double[] e64 = completenessErrors(tail, f, y, 64);
        double[] e128 = completenessErrors(tail, f, y, 128);
        System.out.printf(
                "IG completeness, conv net, %d/%d samples with |dF| > 0.1: median/max relative error"
                        + " m=16 %.4f/%.4f, m=64 %.4f/%.4f, m=128 %.4f/%.4f%n",
                e128.length, B, median(e16), max(e16), median(e64), max(e64), median(e128), max(e128));
        assertTrue(e128.length >= 4, "too few samples with |dF| > 0.1: " + e128.length);
        for (double e : e128) {
            assertTrue(e < 0.02, "completeness error at m=128: " + e);
        }
        // O(1/m): 8x the steps should cut the error about 8x; over 10 seeds the ratio was 4.8 to 10
        assertTrue(median(e128) < median(e16) / 3, "error does not shrink as 1/m");
        assertTrue(median(e16) > 1e-3, "IG exact at m=16: the net is too linear to test the Riemann sum");
    }

    @Test
    void aLinearTailGivesFeaturesTimesTheClassWeightsForAnyM() {
        Linear linear = Linear.builder().setUnits(K).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, (long) C * S * S));
        linear.freezeParameters(true);
        ParameterStore ps = new ParameterStore(manager, false);
        Function<NDArray, NDArray> tail =
                x -> linear.forward(ps, new NDList(x.reshape(x.getShape().get(0), -1)), false).head();
        NDArray f = manager.randomNormal(new Shape(B, C, S, S));
        long[] labels = {0, 1, 2, 3, 4, 0, 4, 2};
        NDArray y = manager.create(labels);
        float[] fv = f.toFloatArray();
        float[] w = linear.getParameters().get("weight").getArray().toFloatArray(); // (K, C*S*S)
        int n = C * S * S;
        float[] expected = new float[B * n];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < n; i++) {
                expected[b * n + i] = fv[b * n + i] * w[(int) labels[b] * n + i];
            }
        }
        for (int steps : new int[] {1, 3, 16}) {
            NDArray attr = IntegratedGradients.attributions(tail, f, y, steps, 10);
            assertArrayEquals(expected, attr.toFloatArray(), 1e-5f, "m = " + steps);
            attr.close();
        }
    }

    /**
     * F_k(x) = (k+1) * sum(x^2): dF_y/df at (k/m) f is 2 (y+1) (k/m) f, so the right Riemann sum gives
     * attr = (y+1) f^2 * (m+1)/m exactly (a left sum would give (m-1)/m, the midpoint rule 1).
     */
    @Test
    void aQuadraticTailPinsTheRightRiemannSum() {
        NDArray classScale = manager.create(new float[] {1, 2, 3}).reshape(1, 3); // (1, K=3)
        Function<NDArray, NDArray> tail =
                x -> x.square().reshape(x.getShape().get(0), -1).sum(new int[] {1}, true).mul(classScale);
        NDArray f = manager.create(new float[] {1, -2, 0.5f, 3, -1, 2}, new Shape(2, 1, 1, 3));
        NDArray y = manager.create(new long[] {0, 2});
        for (int steps : new int[] {1, 4}) {
            float r = (steps + 1f) / steps;
            float[] expected = {1 * r, 4 * r, 0.25f * r, 3 * 9 * r, 3 * 1 * r, 3 * 4 * r};
            float[] attr = IntegratedGradients.attributions(tail, f, y, steps, 3).toFloatArray();
            assertArrayEquals(expected, attr, 1e-5f, "m = " + steps);
        }
    }

    @Test
    void chunkedPassesEqualOnePass() {
        Function<NDArray, NDArray> net = tail(convNet());
        List<Long> passRows = new ArrayList<>(); // rows of each forward pass
        Function<NDArray, NDArray> tail = x -> {
            passRows.add(x.getShape().get(0));
            return net.apply(x);
        };
        NDArray f = manager.randomUniform(0f, 2f, new Shape(B, C, S, S));
        NDArray y = manager.randomInteger(0, K, new Shape(B), DataType.INT64);
        int steps = 8;
        float[] single = IntegratedGradients.attributions(tail, f, y, steps, B * steps).toFloatArray();
        assertEquals(List.of((long) B * steps), passRows);
        // 3 samples a pass (last pass 2); one sample in passes of 5 + 3 steps; one row a pass
        for (int maxRows : new int[] {24, 5, 1}) {
            passRows.clear();
            float[] chunked = IntegratedGradients.attributions(tail, f, y, steps, maxRows).toFloatArray();
            assertArrayEquals(single, chunked, 1e-5f, "maxRows = " + maxRows);
            assertTrue(passRows.stream().allMatch(r -> r <= maxRows), "a pass exceeds maxRows: " + passRows);
            assertEquals((long) B * steps, passRows.stream().mapToLong(Long::longValue).sum());
        }
    }

    @Test
    void leavesNetworkAndInputsAloneAndReturnsAPlainArrayInTheFeaturesManager() {
        Block net = convNet();
        List<float[]> before = new ArrayList<>();
        for (Parameter p : net.getParameters().values()) {
            before.add(p.getArray().toFloatArray());
        }
        try (NDManager features = manager.newSubManager(); NDManager labels = manager.newSubManager()) {
            NDArray f = features.randomUniform(0f, 2f, new Shape(B, C, S, S));
            NDArray y = labels.randomInteger(0, K, new Shape(B), DataType.INT64);
            float[] fBefore = f.toFloatArray();
            int arraysBefore = features.getManagedArrays().size();
            NDArray attr = IntegratedGradients.attributions(tail(net), f, y, 16, 40);

            assertEquals(new Shape(B, C, S, S), attr.getShape());
            assertSame(features, attr.getManager());
            assertFalse(attr.hasGradient());
            assertArrayEquals(fBefore, f.toFloatArray(), 0f);
            assertEquals(arraysBefore + 1, features.getManagedArrays().size(), "intermediates leaked");
            assertEquals(1, labels.getManagedArrays().size(), "intermediates leaked into labels' manager");
        }
        int i = 0;
        for (Parameter p : net.getParameters().values()) {
            assertArrayEquals(before.get(i++), p.getArray().toFloatArray(), 0f, p.getName() + " changed");
            assertFalse(p.getArray().hasGradient(), p.getName() + " is not frozen");
        }
    }

    /**
     * A freshly initialised CifarResNet in inference mode (BatchNorm: running mean 0, var 1, beta 0) is
     * positively homogeneous from stage 3 to the pre-bias logits, so its gradient is constant along the path
     * and, by Euler's theorem, IG is complete at any m up to float error: a check of the plumbing through
     * the real tail (frozen parameters, inference mode, chunks), stricter than the 5% asked at m = 64.
     */
    @Test
    void completenessOnAResNet18TailFromStage3() {
        Network net = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 16, 16);
        net.freezeParameters(true);
        ParameterStore ps = new ParameterStore(manager, false);
        Function<NDArray, NDArray> tail = x -> net.forwardTail(ps, x, 3, false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray stage3 = net.features(ps, sub.randomNormal(new Shape(B, 3, 16, 16)), false).stage(3);
            NDArray y = sub.randomInteger(0, 10, new Shape(B), DataType.INT64);
            NDArray attr = IntegratedGradients.attributions(tail, stage3, y, 64, 100);
            assertEquals(new Shape(B, 16, 4, 4), attr.getShape());
            double[] e64 = completenessErrors(tail, stage3, y, 64);
            System.out.printf(
                    "IG completeness, fresh resnet18 stage 3, %d/%d samples with |dF| > 0.1:"
                            + " median/max relative error m=64 %.6f/%.6f%n",
                    e64.length, B, median(e64), max(e64));
            assertTrue(e64.length >= 4, "too few samples with |dF| > 0.1: " + e64.length);
            assertTrue(max(e64) < 1e-3, "completeness error at m=64: " + max(e64));
        }
    }

    /**
     * Training-mode forwards move BatchNorm's running statistics off 0/1: the inference-mode net is then
     * affine with shifts, not homogeneous, and IG carries a Riemann error. Its median is asserted, not each
     * sample: over 10 seeds the median at m = 64 was 0.8% to 3.3%, the worst sample 2.1% to 12%.
     */
    @Test
    void resnet18TailWithShiftedBatchNormIsCompleteWithinFivePercent() {
        Network net = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 16, 16);
        ParameterStore ps = new ParameterStore(manager, false);
        Function<NDArray, NDArray> tail = x -> net.forwardTail(ps, x, 3, false);
        try (NDManager sub = manager.newSubManager()) {
            for (int i = 0; i < 3; i++) {
                net.features(ps, sub.randomNormal(0.5f, 1f, new Shape(8, 3, 16, 16), DataType.FLOAT32), true);
            }
            net.freezeParameters(true);
            NDArray stage3 = net.features(ps, sub.randomNormal(new Shape(B, 3, 16, 16)), false).stage(3);
            NDArray y = sub.randomInteger(0, 10, new Shape(B), DataType.INT64);
            double[] e16 = completenessErrors(tail, stage3, y, 16);
            double[] e64 = completenessErrors(tail, stage3, y, 64);
            System.out.printf(
                    "IG completeness, resnet18 stage 3 with shifted BatchNorm, %d/%d samples with |dF| > 0.1:"
                            + " median/max relative error m=16 %.4f/%.4f, m=64 %.4f/%.4f%n",
                    e64.length, B, median(e16), max(e16), median(e64), max(e64));
            assertTrue(e64.length >= 4, "too few samples with |dF| > 0.1: " + e64.length);
            assertTrue(median(e64) < 0.05, "median completeness error at m=64: " + median(e64));
            assertTrue(median(e64) < median(e16), "error does not shrink with m");
        }
    }

    @Test
    void rejectsBadArguments() {
        Function<NDArray, NDArray> tail = x -> x.reshape(x.getShape().get(0), -1);
        NDArray f = manager.ones(new Shape(2, 1, 2, 2));
        NDArray y = manager.zeros(new Shape(2), DataType.INT64);
        assertThrows(IllegalArgumentException.class, () -> attributions(tail, f, y, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> attributions(tail, f, y, 4, 0));
        NDArray wrong = manager.zeros(new Shape(3), DataType.INT64);
        assertThrows(IllegalArgumentException.class, () -> attributions(tail, f, wrong, 4, 8));
    }
}
