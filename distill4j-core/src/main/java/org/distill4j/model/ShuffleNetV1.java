package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * ShuffleNet (Zhang et al., CVPR 2018) with g = 3 in RepDistiller's CIFAR form: a 1x1 stem of 24 channels (stride
 * 1, no max-pool), three stages of 240, 480, 960 channels with 4, 8, 4 units, global average pooling and a linear
 * classifier. A unit is 1x1 group conv + BN + ReLU, channel shuffle, 3x3 depthwise (with the stride) + BN, 1x1 group
 * conv + BN; a stride-2 unit concatenates a 3x3 average-pooled shortcut (so its branch makes out - in channels),
 * a stride-1 unit adds the input; ReLU last. The first unit's first conv is not grouped (24 input channels).
 */
public final class ShuffleNetV1 extends UnitNetwork {

    private static final byte VERSION = 1;
    private static final int GROUPS = 3;
    private static final int[] CHANNELS = {240, 480, 960};
    private static final int[] UNITS = {4, 8, 4};
    private static final int STEM = 24;

    /** Builds the (uninitialised) network. */
    public ShuffleNetV1(ModelSpec spec) {
        super(VERSION, spec);
        addStem(new ConvBn(STEM, 1, 1));
        int in = STEM;
        for (int s = 0; s < CHANNELS.length; s++) {
            Group<Unit> stage = new Group<>();
            for (int u = 0; u < UNITS[s]; u++) {
                boolean down = u == 0;
                stage.add(new ShuffleUnit(in, down ? CHANNELS[s] - in : CHANNELS[s], down, in == STEM ? 1 : GROUPS));
                in = CHANNELS[s];
            }
            addStage(stage);
        }
        addHead(null); // pools the last stage directly
        declareStages(CHANNELS);
    }

    /** One ShuffleNet unit (Zhang et al. 2018, Fig. 2 b and c). */
    static final class ShuffleUnit extends Unit {

        private final ConvBn reduce;
        private final ConvBn depthwise;
        private final ConvBn expand;
        private final boolean down;
        private final int firstGroups;

        /**
         * @param in          input channels
         * @param out         channels the branch makes
         * @param down        stride 2 with a concatenated average-pooled shortcut
         * @param firstGroups groups of the first 1x1 conv (1 right after the stem)
         */
        ShuffleUnit(int in, int out, boolean down, int firstGroups) {
            int mid = out / 4;
            this.down = down;
            this.firstGroups = firstGroups;
            reduce = addChildBlock("reduce", new ConvBn(mid, 1, 1, firstGroups, false));
            depthwise = addChildBlock("depthwise", new ConvBn(mid, 3, down ? 2 : 1, mid, false));
            expand = addChildBlock("expand", new ConvBn(out, 1, 1, GROUPS, false));
        }

        /** Returns {@code [ReLU(preact), preact]}, preact being the sum or concatenation before the ReLU. */
        @Override
        NDList apply(Forward f, NDArray x) {
            return f.unit(this, x, in -> {
                NDArray h = f.shuffle(f.relu(reduce.forward(f, in)), firstGroups);
                h = f.relu(depthwise.forward(f, h));
                h = expand.forward(f, h); // (B, out, H/s, W/s)
                NDArray preact = down
                        // count_include_pad, as PyTorch's AvgPool2d does by default
                        ? f.concat(h, f.avgPool(in, 3, 2, 1))
                        : f.add(h, in);
                return new NDList(f.relu(preact), preact);
            });
        }
    }
}
