package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * MobileNetV2 (Sandler et al., CVPR 2018) in the CIFAR form of RepDistiller (from "Knowledge Distillation via
 * Route Constrained Optimization"): a 3x3 stride-2 stem, seven groups of inverted residual blocks (expansion t =
 * 6, except 1 for the first group), a 1x1 conv to 1280 channels (not scaled down for multipliers below 1), global
 * average pooling and a linear classifier. Channel counts are {@code int(c * multiplier)}, truncated as the
 * reference does; {@code mobile_half} is the 0.5x net of the CIFAR-100 benchmark.
 *
 * <p>Stages, as the reference's feature list has them, end after the 2nd, 3rd, 5th and 7th row of Sandler et al.'s
 * Table 2 (16, 8, 4, 2 px at 32 px input, because of the stride-2 stem). Block outputs are linear (no activation), so the pre-activation stages
 * are the stages themselves.
 */
public final class MobileNetV2 extends UnitNetwork {

    private static final byte VERSION = 1;
    /** t (expansion), c (channels), n (blocks), s (stride of the first block), per row of Sandler et al.'s Table 2. */
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** The last settings row of each stage (0-based): RepDistiller's f1..f4 end after rows 1, 2, 4 and 6. */
    private static final int[] STAGE_ENDS = {1, 2, 4, 6};

    /** Builds the (uninitialised) network; the name gives the multiplier ({@code mobilenetv2-0.75x}). */
    public MobileNetV2(ModelSpec spec) {
        super(VERSION, spec);
        double w = spec.architecture().multiplier();
        int in = (int) (32 * w);
        addStem(new ConvBn(in, 3, 2));
        int[] stageChannels = new int[STAGE_ENDS.length];
        int row = 0;
        for (int s = 0; s < STAGE_ENDS.length; s++) {
            Group<Unit> stage = new Group<>();
            for (; row <= STAGE_ENDS[s]; row++) {
                int[] r = SETTINGS[row];
                int out = (int) (r[1] * w); // truncated, as the reference's int()
                for (int b = 0; b < r[2]; b++) {
                    stage.add(new Inverted(in, out, b == 0 ? r[3] : 1, r[0]));
                    in = out;
                }
            }
            stageChannels[s] = in;
            addStage(stage);
        }
        addHead(new ConvBn(w > 1.0 ? (int) (1280 * w) : 1280, 1, 1));
        declareStages(stageChannels);
    }

    /**
     * The inverted residual block: 1x1 expansion to t*in channels + BN + ReLU, 3x3 depthwise (with the stride) +
     * BN + ReLU, 1x1 linear projection + BN; plus the input when the stride is 1 and the width is kept. The
     * reference keeps the 1x1 expansion even at t = 1.
     */
    static final class Inverted extends Unit {
        private final ConvBn expand;
        private final ConvBn depthwise;
        private final ConvBn project;
        private final boolean residual;

        Inverted(int in, int out, int stride, int t) {
            int hidden = in * t;
            expand = addChildBlock("expand", new ConvBn(hidden, 1, 1));
            depthwise = addChildBlock("depthwise", new ConvBn(hidden, 3, stride, hidden, false));
            project = addChildBlock("project", new ConvBn(out, 1, 1));
            residual = stride == 1 && in == out;
        }

        @Override
        NDList apply(Forward f, NDArray x) {
            return f.unit(this, x, in -> {
                NDArray h = f.relu(expand.forward(f, in)); // (B, t*C_in, H, W)
                h = f.relu(depthwise.forward(f, h)); // (B, t*C_in, H/s, W/s)
                h = project.forward(f, h); // (B, C_out, H/s, W/s)
                return new NDList(residual ? f.add(h, in) : h);
            });
        }
    }
}
