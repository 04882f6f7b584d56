package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both forms of the SGD update against the formulas written out in doubles: DJL's (lr inside the velocity) and
 * PyTorch's (torch.optim.SGD 1.13: d = g + wd w; buf = mu buf + d; d = d + mu buf if nesterov else buf;
 * w -= lr d), over steps whose lr and momentum change, as a one-cycle schedule changes them.
 */
class SgdMomentumTest {
    private static final double[] W0 = {0.5, -1.25, 2.0};
    private static final double[][] GRADIENTS = {{0.3, -0.7, 1.1}, {-0.2, 0.4, 0.9}, {1.5, 0.1, -0.6}};
    private static final float[] LRS = {0.1f, 0.05f, 0.02f};
    private static final float[] MOMENTA = {0.95f, 0.9f, 0.85f};
    private static final double WD = 0.01;

    /** Runs the three steps on a real DJL parameter whose gradient is GRADIENTS[k] (loss = sum(c_k * w)). */
    private static float[] run(boolean nesterov, boolean torchForm, boolean cycle) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(manager.create(toFloat(W0)));
            p.getArray().setRequiresGradient(true);
            SgdMomentum sgd = new SgdMomentum(List.of(p), 0.9, WD, nesterov, torchForm, manager);
            for (int k = 0; k < 3; k++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray c = manager.create(toFloat(GRADIENTS[k]));
                    gc.backward(p.getArray().mul(c).sum());
                }
                if (cycle) {
                    sgd.step(LRS[k], MOMENTA[k]);
                } else {
                    sgd.step(LRS[k]);
                }
                assertArrayEquals(new float[3], p.getArray().getGradient().toFloatArray(), "gradient zeroed");
            }
            return p.getArray().toFloatArray();
        }
    }

    private static double[] expected(boolean nesterov, boolean torchForm, boolean cycle) {
        double[] w = W0.clone();
        double[] v = new double[3];
        for (int k = 0; k < 3; k++) {
            double mu = cycle ? MOMENTA[k] : 0.9f;
            double lr = LRS[k];
            for (int i = 0; i < 3; i++) {
                double d = GRADIENTS[k][i] + WD * w[i];
                if (torchForm) {
                    v[i] = mu * v[i] + d;
                    w[i] -= lr * (nesterov ? d + mu * v[i] : v[i]);
                } else {
                    v[i] = mu * v[i] + lr * d;
                    w[i] -= v[i];
                }
            }
        }
        return w;
    }

    private static void check(boolean nesterov, boolean torchForm, boolean cycle) {
        float[] got = run(nesterov, torchForm, cycle);
        double[] want = expected(nesterov, torchForm, cycle);
        for (int i = 0; i < 3; i++) {
            assertEquals(want[i], got[i], 1e-6, "nesterov " + nesterov + " torch form " + torchForm + ", w[" + i + "]");
        }
    }

    @Test
    void djlFormKeepsTheLearningRateInsideTheVelocity() {
        check(false, false, false);
    }

    @Test
    void torchFormMatchesTorchOptimSgdWithChangingMomentum() {
        check(false, true, true);
    }

    @Test
    void nesterovMatchesTorchOptimSgdNesterov() {
        check(true, true, true);
        check(true, true, false);
    }

    @Test
    void theFormsDifferOnceTheLearningRateChanges() {
        float[] djl = run(false, false, false);
        float[] torch = run(false, true, false);
        double gap = 0;
        for (int i = 0; i < 3; i++) {
            gap = Math.max(gap, Math.abs(djl[i] - torch[i]));
        }
        assertEquals(true, gap > 1e-3, "the two forms should differ after lr 0.1 -> 0.05 -> 0.02, by " + gap);
    }

    @Test
    void djlFormRefusesAChangingMomentum() {
        assertThrows(IllegalStateException.class, () -> run(false, false, true));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
