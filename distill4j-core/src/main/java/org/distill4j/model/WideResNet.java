package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Wide residual networks WRN-d-k (Zagoruyko &amp; Komodakis, BMVC 2016), as RepDistiller defines them: a 3x3
 * stem of 16 channels (no BatchNorm after it), three stages of n = (d-4)/6 pre-activation blocks with 16k, 32k,
 * 64k channels and strides 1, 2, 2, then BatchNorm + ReLU, global average pooling and a linear classifier.
 * Dropout is 0, as in the distillation benchmarks.
 *
 * <p>Being pre-activation, a stage's output is the raw residual sum (no BatchNorm, no ReLU); its "pre-activation"
 * form, as the reference exposes it, is the next block's first BatchNorm applied to it (the final BatchNorm for
 * the last stage).
 */
public final class WideResNet extends Network {

    private static final byte VERSION = 1;

    private final Conv2d stem;
    private final List<Group<Block>> stages = new ArrayList<>();
    private final BatchNorm finalBn;
    private final Linear classifier;

    /** Builds the (uninitialised) network; the name gives d and k ({@code wrn-28-10}). */
    public WideResNet(ModelSpec spec) {
        super(VERSION, spec);
        Architecture arch = spec.architecture();
        int n = (arch.depth() - 4) / 6;
        int k = arch.widen();
        int[] channels = {16 * k, 32 * k, 64 * k};
        stem = addChildBlock("stem", Layers.conv(16, 3, 1));
        int in = 16;
        for (int s = 0; s < 3; s++) {
            Group<Block> stage = new Group<>();
            for (int b = 0; b < n; b++) {
                stage.add(new Block(in, channels[s], s > 0 && b == 0 ? 2 : 1));
                in = channels[s];
            }
            stages.add(addChildBlock("stage" + (s + 1), stage));
        }
        finalBn = addChildBlock("bn", Layers.batchNorm());
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec.numClasses()).build());
        declareStages(channels);
    }




    @Override
    Features run(Forward f, NDArray x) {
        NDArray stemOut = f.conv(stem, x); // (B, 16, H, W)
        NDArray h = stemOut;
        List<NDArray> outputs = new ArrayList<>();
        List<NDArray> preacts = new ArrayList<>();
        List<NDArray> blocks = new ArrayList<>();
        for (Group<Block> stage : stages) {
            f.enter(stage, h);
            for (int b = 0; b < stage.units().size(); b++) {
                NDList out = stage.units().get(b).apply(f, h); // [sum, bn1(input)]
                if (b == 0 && !outputs.isEmpty()) {
                    preacts.add(out.get(1)); // the previous stage's output through this block's first BatchNorm
                }
                h = out.get(0);
                blocks.add(h);
            }
            outputs.add(h); // (B, C_s, H_s, W_s)
        }
        NDArray normed = f.bn(finalBn, h);
        preacts.add(normed);
        NDArray pooled = f.globalAvgPool(f.relu(normed)); // (B, 64k)
        return new Features(f.linear(classifier, pooled), outputs, preacts, pooled, blocks, stemOut);
    }

    @Override
    NDArray tail(Forward f, NDArray h, int stage) {
        for (int s = stage; s < stages.size(); s++) {
            h = stages.get(s).apply(f, h).get(0);
        }
        NDArray pooled = f.globalAvgPool(f.relu(f.bn(finalBn, h)));
        return f.linear(classifier, pooled);
    }

    /**
     * The pre-activation basic block: {@code a = ReLU(BN(x))}; {@code out = conv2(ReLU(BN(conv1(a))))}; plus the
     * shortcut, which is x itself when the shape is kept and a 1x1 strided conv of {@code a} when it changes (as
     * in the reference, the projection reads the activated input).
     */
    static final class Block extends Unit {
        private final BatchNorm bn1;
        private final ConvBn conv1; // conv1 then bn2, folded together
        private final Conv2d conv2;
        private final Conv2d shortcut; // null when in == out

        Block(int in, int out, int stride) {
            bn1 = addChildBlock("bn1", Layers.batchNorm());
            conv1 = addChildBlock("conv1", new ConvBn(out, 3, stride));
            conv2 = addChildBlock("conv2", Layers.conv(out, 3, 1));
            shortcut = in == out ? null : addChildBlock("shortcut", Layers.conv(out, 1, stride));
        }

        /** Returns {@code [x + branch, BN(x)]}: the output, and the input through this block's first BatchNorm. */
        @Override
        NDList apply(Forward f, NDArray x) {
            return f.unit(this, x, in -> {
                NDArray normed = f.bn(bn1, in); // (B, C_in, H, W)
                NDArray a = f.relu(normed);
                NDArray branch = f.conv(conv2, f.relu(conv1.forward(f, a))); // (B, C_out, H/s, W/s)
                NDArray skip = shortcut == null ? in : f.conv(shortcut, a);
                return new NDList(f.add(branch, skip), normed);
            });
        }
    }
}
