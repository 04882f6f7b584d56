package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The folded copy computes what the network computes in eval mode, to 1e-4 relative, for every stage (before and
 * after activation), the pooled embedding and the logits, for every family of the zoo, with BatchNorm statistics
 * far from the identity (gamma 1, beta 0, mean 0, var 1 would let a folding that ignores them pass).
 */
class FoldedNetworkTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"resnet18, 8, true", "resnet18, 8, false", "resnet50-cbam, 4, true", "resnet34, 4, true",
        "resnet20, 0, true", "resnet8x4, 0, false", "wrn-16-2, 0, true", "wrn-16-1, 0, false", "vgg8, 0, true",
        "mobile_half, 0, true", "mobile_half, 0, false", "shufflenetv1, 0, true", "shufflenetv2-0.5x, 0, true",
        "shufflenetv2-0.5x, 0, false"})
    void foldedMatchesEvalMode(String name, int width, boolean channelsLast) {
        Network net = Models.createInitialized(new ModelSpec(name, width, 10, 3), manager, 32, 32);
        scrambleBatchNorms(net, new Random(3));
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager sub = manager.newSubManager();
                FoldedNetwork folded = FoldedNetwork.of(net, manager, channelsLast)) {
            NDArray x = sub.randomNormal(new Shape(2, 3, 32, 32));
            Features want = net.features(ps, x, false);
            Features got = folded.features(x);
            assertClose(want.logits(), got.logits(), "logits");
            assertClose(want.pooled(), got.pooled(), "pooled");
            assertEquals(net.stageCount(), got.stageCount());
            for (int s = 1; s <= net.stageCount(); s++) {
                assertClose(want.stage(s), got.stage(s), "stage " + s);
                assertClose(want.preact(s), got.preact(s), "pre-activation stage " + s);
            }
            assertEquals(want.blocks().size(), got.blocks().size());
        }
    }

    /** Gamma in [0.5, 1.5], beta, running mean in [-0.5, 0.5], running var in [0.5, 2]. */
    static void scrambleBatchNorms(Network net, Random rnd) {
        for (Parameter p : net.getParameters().values()) {
            String n = p.getName();
            float lo;
            float span;
            switch (n) {
                case "gamma" -> { lo = 0.5f; span = 1f; }
                case "beta", "runningMean" -> { lo = -0.5f; span = 1f; }
                case "runningVar" -> { lo = 0.5f; span = 1.5f; }
                default -> { continue; }
            }
            NDArray a = p.getArray();
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = lo + span * rnd.nextFloat();
            }
            a.set(v);
        }
    }

    /** max |want - got| <= 1e-4 * max |want|, and the same shape. */
    private static void assertClose(NDArray want, NDArray got, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < w.length; i++) {
            scale = Math.max(scale, Math.abs(w[i]));
            diff = Math.max(diff, Math.abs(w[i] - g[i]));
        }
        assertTrue(scale > 0, what + " is all zeros: the test would prove nothing");
        assertTrue(diff <= 1e-4 * scale, what + ": max diff " + diff + " vs max |value| " + scale);
    }
}
