package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Where CBAM sits: on the residual branch, before the addition (Woo et al. 2018, Fig. 3). */
class ResidualBlockTest {

    /*
     * Identity shortcut (8 -> 8 channels, stride 1). Zero the channel MLP's weights and give its output
     * bias -100: both MLP passes return -100, so M_c = sigmoid(-200) = 0 and CBAM outputs 0. The block
     * must then return ReLU(0 + x) = ReLU(x); CBAM applied after the addition would give 0, and CBAM
     * skipped would give ReLU(branch(x) + x).
     */
    @Test
    void closedChannelGateLeavesOnlyTheShortcut() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 8, 5, 5);
            ResidualBlock block = ResidualBlock.basic(8, 8, 1, true);
            block.initialize(manager, DataType.FLOAT32, shape);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(shape);
            NDArray open = Layers.apply(block, ps, x, false);
            assertFalse(open.allClose(Activation.relu(x), 1e-3, 1e-3, false));

            String mlp = "05cbam_01channel_";
            block.getParameters().get(mlp + "01reduce_weight").getArray().set(new float[8]);
            block.getParameters().get(mlp + "02expand_weight").getArray().set(new float[8]);
            float[] bias = new float[8];
            Arrays.fill(bias, -100f);
            block.getParameters().get(mlp + "02expand_bias").getArray().set(bias);

            NDArray closed = Layers.apply(block, ps, x, false);
            assertTrue(closed.allClose(Activation.relu(x), 1e-6, 1e-6, false));
        }
    }

    @Test
    void projectionShortcutOnlyWhenShapeChanges() {
        // two 3x3 8->8 convs + two BN(8)
        assertEquals(2 * (9 * 8 * 8) + 2 * 16, countAt(ResidualBlock.basic(8, 8, 1, false), 8));
        // strided: 3x3 8->16, 3x3 16->16, two BN(16), shortcut 1x1 8->16 + BN(16)
        assertEquals(
                9 * 8 * 16 + 9 * 16 * 16 + 2 * 32 + 8 * 16 + 32,
                countAt(ResidualBlock.basic(8, 16, 2, false), 8));
        // bottleneck 32 -> 4*8: 1x1 32->8, 3x3 8->8, 1x1 8->32, BN 16+16+64, no shortcut (32 == 32, stride 1)
        assertEquals(
                32 * 8 + 9 * 8 * 8 + 8 * 32 + 16 + 16 + 64,
                countAt(ResidualBlock.bottleneck(32, 8, 1, false), 32));
    }

    private static long countAt(ResidualBlock block, int channels) {
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, 4, 4));
            return Models.countParameters(block);
        }
    }
}
