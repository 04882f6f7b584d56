package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * MobileNetV2 (Sandler et al., CVPR 2018) in the CIFAR form of RepDistiller (from "Knowledge Distillation via
 * Route Constrained Optimization"): a 3x3 stride-2 stem, seven groups of inverted residual blocks (expansion t =
 * 6, except 1 for the first group), a 1x1 conv to 1280 channels (not scaled down for multipliers below 1), global
 * average pooling and a linear classifier. Channel counts are {@code int(c * multiplier)}, truncated as the
 * reference does; {@code mobile_half} is the 0.5x net of the CIFAR-100 benchmark.
 *
 * <p>Stages, as the reference's feature list has them, end after groups 2, 3, 5 and 7 (16, 8, 4, 2 px at 32 px
 * input, because of the stride-2 stem). Block outputs are linear (no activation), so the pre-activation stages
 * are the stages themselves.
 */
public final class MobileNetV2 extends Network {

    private static final byte VERSION = 1;
    /** t (expansion), c (channels), n (blocks), s (stride of the first block), per group (Sandler et al., Table 2). */
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** The last group of each stage (0-based): RepDistiller's f1..f4. */
    private static final int[] STAGE_ENDS = {1, 2, 4, 6};

    private final ModelSpec spec;
    private final ConvBn stem;
    private final List<Group<Inverted>> groups = new ArrayList<>();
    private final ConvBn head;
    private final Linear classifier;
    private final int[] groupChannels = new int[SETTINGS.length];

    /** Builds the (uninitialised) network; the name gives the multiplier ({@code mobilenetv2-0.75x}). */
    public MobileNetV2(ModelSpec spec) {
        super(VERSION);
        this.spec = spec;
        double w = spec.architecture().multiplier();
        int in = (int) (32 * w);
        stem = addChildBlock("stem", new ConvBn(in, 3, 2));
        for (int g = 0; g < SETTINGS.length; g++) {
            int[] s = SETTINGS[g];
            int out = (int) (s[1] * w);
            Group<Inverted> group = new Group<>();
            for (int b = 0; b < s[2]; b++) {
                group.add(new Inverted(in, out, b == 0 ? s[3] : 1, s[0]));
                in = out;
            }
            groupChannels[g] = out;
            groups.add(addChildBlock("group" + (g + 1), group));
        }
        int last = w > 1.0 ? (int) (1280 * w) : 1280;
        head = addChildBlock("head", new ConvBn(last, 1, 1));
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec.numClasses()).build());
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public int stageCount() {
        return STAGE_ENDS.length;
    }

    @Override
    public int stageChannels(int stage) {
        checkStage(stage);
        return groupChannels[STAGE_ENDS[stage - 1]];
    }

    @Override
    Features run(Forward f, NDArray x) {
        NDArray stemOut = Activation.relu(stem.forward(f, x)); // (B, 32w, H/2, W/2)
        NDArray h = stemOut;
        List<NDArray> outputs = new ArrayList<>();
        List<NDArray> blocks = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            f.enter(groups.get(g), h);
            for (Inverted block : groups.get(g).units()) {
                h = block.apply(f, h).get(0);
                blocks.add(h);
            }
            if (isStageEnd(g)) {
                outputs.add(h); // (B, C_s, H_s, W_s)
            }
        }
        NDArray pooled = pool(f, h);
        return new Features(f.linear(classifier, pooled), outputs, outputs, pooled, blocks, stemOut);
    }

    @Override
    NDArray tail(Forward f, NDArray h, int stage) {
        for (int g = STAGE_ENDS[stage - 1] + 1; g < groups.size(); g++) {
            h = groups.get(g).apply(f, h).get(0);
        }
        return f.linear(classifier, pool(f, h));
    }

    /** The 1x1 conv to the last width, ReLU, global average pooling: (B, 320w, h, w) -> (B, 1280). */
    private NDArray pool(Forward f, NDArray h) {
        return Pool.globalAvgPool2d(Activation.relu(head.forward(f, h)));
    }

    private static boolean isStageEnd(int group) {
        for (int end : STAGE_ENDS) {
            if (end == group) {
                return true;
            }
        }
        return false;
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
                NDArray h = Activation.relu(expand.forward(f, in)); // (B, t*C_in, H, W)
                h = Activation.relu(depthwise.forward(f, h)); // (B, t*C_in, H/s, W/s)
                h = project.forward(f, h); // (B, C_out, H/s, W/s)
                return new NDList(residual ? h.add(in) : h);
            });
        }
    }
}
