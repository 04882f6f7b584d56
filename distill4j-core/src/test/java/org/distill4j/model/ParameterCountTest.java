package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Pins the architectures to the well-known CIFAR-variant parameter counts (10 classes, width 64). */
class ParameterCountTest {

    private static long count(String name) {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 8x8 input: the count does not depend on H, W, and initialisation is all that runs.
            return Models.countParameters(
                    Models.createInitialized(new ModelSpec(name, 64, 10, 3), manager, 8, 8));
        }
    }

    @Test
    void resnet18() {
        assertEquals(11_173_962L, count("resnet18"));
    }

    @Test
    void resnet34() {
        assertEquals(21_282_122L, count("resnet34"));
    }

    @Test
    void resnet50() {
        assertEquals(23_520_842L, count("resnet50"));
    }

    /*
     * ResNet50 + CBAM, 10 classes, width 64, 3 input channels, derived by hand.
     * Notation: a conv of k x k from i to o channels without bias has k*k*i*o weights; a BN over c
     * channels has 2c (gamma, beta; running stats are buffers). A bottleneck (in, p) has
     *   conv1 1x1 in->p: in*p, BN 2p; conv2 3x3 p->p: 9p^2, BN 2p; conv3 1x1 p->4p: 4p^2, BN 8p;
     *   shortcut (first block of each stage: channels or stride change) 1x1 in->4p: 4p*in, BN 8p.
     *
     * Stem: 3x3 3->64 = 1,728; BN 128                                              ->      1,856
     * Stage 1 (p = 64, out 256, 3 blocks):
     *   block 1 (in 64):   4,096 + 128 + 36,864 + 128 + 16,384 + 512 + shortcut 16,384 + 512 = 75,008
     *   blocks 2-3 (in 256): 16,384 + 128 + 36,864 + 128 + 16,384 + 512 = 70,400 each
     *   stage: 75,008 + 2 * 70,400                                                 ->    215,808
     * Stage 2 (p = 128, out 512, 4 blocks):
     *   block 1 (in 256):  32,768 + 256 + 147,456 + 256 + 65,536 + 1,024 + 131,072 + 1,024 = 379,392
     *   blocks 2-4 (in 512): 65,536 + 256 + 147,456 + 256 + 65,536 + 1,024 = 280,064 each
     *   stage: 379,392 + 3 * 280,064                                               ->  1,219,584
     * Stage 3 (p = 256, out 1024, 6 blocks):
     *   block 1 (in 512):  131,072 + 512 + 589,824 + 512 + 262,144 + 2,048 + 524,288 + 2,048 = 1,512,448
     *   blocks 2-6 (in 1024): 262,144 + 512 + 589,824 + 512 + 262,144 + 2,048 = 1,117,184 each
     *   stage: 1,512,448 + 5 * 1,117,184                                           ->  7,098,368
     * Stage 4 (p = 512, out 2048, 3 blocks):
     *   block 1 (in 1024): 524,288 + 1,024 + 2,359,296 + 1,024 + 1,048,576 + 4,096
     *                      + 2,097,152 + 4,096 = 6,039,552
     *   blocks 2-3 (in 2048): 1,048,576 + 1,024 + 2,359,296 + 1,024 + 1,048,576 + 4,096 = 4,462,592 each
     *   stage: 6,039,552 + 2 * 4,462,592                                           -> 14,964,736
     * Classifier: 2048*10 + 10                                                     ->     20,490
     * ResNet50 total: 1,856 + 215,808 + 1,219,584 + 7,098,368 + 14,964,736 + 20,490 = 23,520,842
     *
     * CBAM on each block's output (C = 4p channels, hidden h = C/16):
     *   channel MLP with biases: C*h + h + h*C + C; spatial 7x7 conv 2->1: 98, BN(1): 2 -> +100
     *   stage 1 (C 256, h 16):   4,096 + 16 + 4,096 + 256 = 8,464;         + 100 = 8,564 x 3 =    25,692
     *   stage 2 (C 512, h 32):   16,384 + 32 + 16,384 + 512 = 33,312;      + 100 = 33,412 x 4 =   133,648
     *   stage 3 (C 1024, h 64):  65,536 + 64 + 65,536 + 1,024 = 132,160;   + 100 = 132,260 x 6 =  793,560
     *   stage 4 (C 2048, h 128): 262,144 + 128 + 262,144 + 2,048 = 526,464; + 100 = 526,564 x 3 = 1,579,692
     *   CBAM total: 25,692 + 133,648 + 793,560 + 1,579,692 = 2,532,592
     *
     * ResNet50 + CBAM: 23,520,842 + 2,532,592 = 26,053,434
     */
    @Test
    void resnet50Cbam() {
        assertEquals(26_053_434L, count("resnet50-cbam"));
    }

    @Test
    void frozenParametersStillCountAndRunningStatsNever() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Network model = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 8, 8);
            long before = Models.countParameters(model);
            // A frozen teacher must still report its size (eval's "params"), so freezing changes nothing.
            model.freezeParameters(true);
            assertEquals(before, Models.countParameters(model));
        }
    }

    @Test
    void uninitialisedBlockIsRejected() {
        assertThrows(
                IllegalStateException.class,
                () -> Models.countParameters(Models.create(new ModelSpec("resnet18", 4, 10, 3))));
    }
}
