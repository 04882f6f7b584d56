package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** CBAM's two attentions on hand-set weights with hand-computed outputs, then its general properties. */
class CbamTest {

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static void set(Block block, String parameter, float... values) {
        block.getParameters().get(parameter).getArray().set(values);
    }

    /*
     * C = 2, so the hidden width is max(1, 2/16) = 1. reduce: w = [1, 0], b = -1; expand: w = [1, -1]^T,
     * b = [0.5, 0]. x channel 0 = [1, 3], channel 1 = [5, -7] (H = 1, W = 2).
     * avg = [2, -1] -> hidden relu(2 - 1) = 1 -> [1.5, -1]
     * max = [3, 5]  -> hidden relu(3 - 1) = 2 -> [2.5, -2]
     * sum = [4, -3] (the expand bias counts twice: one MLP per pooled descriptor) -> M_c = [s(4), s(-3)].
     */
    @Test
    void channelAttentionByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelAttention attention = new ChannelAttention(2);
            attention.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            set(attention, "01reduce_weight", 1f, 0f);
            set(attention, "01reduce_bias", -1f);
            set(attention, "02expand_weight", 1f, -1f);
            set(attention, "02expand_bias", 0.5f, 0f);
            NDArray x = manager.create(new float[] {1, 3, 5, -7}, new Shape(1, 2, 1, 2));
            ParameterStore ps = new ParameterStore(manager, false);

            NDArray y = Layers.apply(attention, ps, x, false);
            double a = sigmoid(4);
            double b = sigmoid(-3);
            float[] expected = {(float) a, (float) (3 * a), (float) (5 * b), (float) (-7 * b)};
            NDArray want = manager.create(expected, new Shape(1, 2, 1, 2));
            assertTrue(y.allClose(want, 1e-6, 1e-7, false), y.toDebugString(true));
        }
    }

    /*
     * Only the 7x7 kernel's centre taps are non-zero (0.5 on the channel mean, 0.25 on the channel max),
     * so the conv is pointwise. BN in inference: running mean 0, var 1, gamma 1, beta 0, eps 1e-5.
     * x channel 0 = [[1, 2], [3, 4]], channel 1 = [[3, 0], [-1, -4]]:
     * mean = [[2, 1], [1, 0]], max = [[3, 2], [3, 4]] -> v = [[1.75, 1], [1.25, 1]]
     * M_s = sigmoid(v / sqrt(1 + 1e-5)), broadcast over both channels.
     */
    @Test
    void spatialAttentionByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SpatialAttention attention = new SpatialAttention();
            attention.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 2, 2));
            float[] kernel = new float[2 * 49];
            kernel[24] = 0.5f; // centre (3, 3) of the mean channel
            kernel[49 + 24] = 0.25f; // centre of the max channel
            set(attention, "01conv_weight", kernel);
            float[] x = {1, 2, 3, 4, 3, 0, -1, -4};
            ParameterStore ps = new ParameterStore(manager, false);

            NDArray y = Layers.apply(attention, ps, manager.create(x, new Shape(1, 2, 2, 2)), false);
            double[] v = {1.75, 1, 1.25, 1};
            float[] expected = new float[8];
            for (int i = 0; i < 8; i++) {
                expected[i] = (float) (x[i] * sigmoid(v[i % 4] / Math.sqrt(1 + 1e-5)));
            }
            NDArray want = manager.create(expected, new Shape(1, 2, 2, 2));
            assertTrue(y.allClose(want, 1e-6, 1e-7, false), y.toDebugString(true));
        }
    }

    @Test
    void cbamKeepsShapeChangesValuesAndWeightsLieInZeroOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 32, 6, 5);
            Cbam cbam = new Cbam(32);
            cbam.initialize(manager, DataType.FLOAT32, shape);
            assertEquals(shape, cbam.getOutputShapes(new Shape[] {shape})[0]);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(shape);

            NDArray y = Layers.apply(cbam, ps, x, false);
            assertEquals(shape, y.getShape());
            assertFalse(y.allClose(x), "CBAM left its input unchanged");

            NDArray mc = cbam.channel().weights(ps, x, false); // (2, 32, 1, 1)
            NDArray ms = cbam.spatial().weights(ps, x.mul(mc), false); // (2, 1, 6, 5)
            assertEquals(new Shape(2, 32, 1, 1), mc.getShape());
            assertEquals(new Shape(2, 1, 6, 5), ms.getShape());
            for (NDArray m : new NDArray[] {mc, ms}) {
                // sigmoid's (0, 1), closed at 1 in float32: a logit above ~17 rounds to exactly 1.0 (seen in CI)
                assertTrue(m.gt(0).all().getBoolean() && m.lte(1).all().getBoolean(), m.toDebugString(true));
            }
            // The block is exactly x * M_c * M_s.
            assertTrue(y.allClose(x.mul(mc).mul(ms), 1e-5, 1e-6, false));
        }
    }
}
