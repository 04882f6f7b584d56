package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Map;

/**
 * ShuffleNet V2 (Ma et al., ECCV 2018) in RepDistiller's CIFAR form (from kuangliu/pytorch-cifar, with a 1x1 stem
 * of 24 channels, stride 1, no max-pool): three stages of a down-sampling unit then 3, 7, 3 basic units, a 1x1
 * conv to 1024 channels (2048 at 2x), global average pooling and a linear classifier. Net sizes 0.5x, 1x, 1.5x and
 * 2x have the paper's stage widths (Table 5).
 *
 * <p>A stage's pre-activation output, as the reference exposes it, is the last unit's concatenation of its kept
 * half and its branch before the final ReLU, taken before the channel shuffle.
 */
public final class ShuffleNetV2 extends UnitNetwork {

    private static final byte VERSION = 1;
    private static final int STEM = 24;
    private static final int[] UNITS = {3, 7, 3};
    /** Stage widths and the last conv's width per net size (Ma et al. 2018, Table 5). */
    private static final Map<Double, int[]> WIDTHS = Map.of(
            0.5, new int[] {48, 96, 192, 1024},
            1.0, new int[] {116, 232, 464, 1024},
            1.5, new int[] {176, 352, 704, 1024},
            2.0, new int[] {224, 488, 976, 2048});


    /** Builds the (uninitialised) network; the name gives the net size ({@code shufflenetv2-0.5x}). */
    public ShuffleNetV2(ModelSpec spec) {
        super(VERSION, spec);
        int[] widths = WIDTHS.get(spec.architecture().multiplier());
        addStem(new ConvBn(STEM, 1, 1));
        int in = STEM;
        for (int s = 0; s < UNITS.length; s++) {
            Group<Unit> stage = new Group<>();
            stage.add(new DownUnit(in, widths[s]));
            for (int u = 0; u < UNITS[s]; u++) {
                stage.add(new BasicUnit(widths[s]));
            }
            in = widths[s];
            addStage(stage);
        }
        addHead(new ConvBn(widths[3], 1, 1));
        declareStages(java.util.Arrays.copyOf(widths, UNITS.length));
    }

    /**
     * The basic unit (Ma et al. 2018, Fig. 3c): split the channels in halves; the second goes through 1x1 + BN +
     * ReLU, 3x3 depthwise + BN, 1x1 + BN + ReLU; concatenate with the first half, shuffle (g = 2).
     */
    static final class BasicUnit extends Unit {
        private final int half;
        private final ConvBn reduce;
        private final ConvBn depthwise;
        private final ConvBn expand;

        BasicUnit(int channels) {
            half = channels / 2;
            reduce = addChildBlock("reduce", new ConvBn(half, 1, 1));
            depthwise = addChildBlock("depthwise", new ConvBn(half, 3, 1, half, false));
            expand = addChildBlock("expand", new ConvBn(half, 1, 1));
        }

        /** Returns {@code [shuffle(concat(x1, ReLU(b))), concat(x1, b)]}, b the branch before its last ReLU. */
        @Override
        NDList apply(Forward f, NDArray x) {
            return f.unit(this, x, in -> {
                NDList halves = f.split(in, half); // (B, C/2, H, W) each
                NDArray b = f.relu(reduce.forward(f, halves.get(1)));
                b = expand.forward(f, depthwise.forward(f, b));
                NDArray kept = halves.get(0);
                return new NDList(f.shuffle(f.concat(kept, f.relu(b)), 2), f.concat(kept, b));
            });
        }
    }

    /**
     * The down-sampling unit (Ma et al. 2018, Fig. 3d): both halves of the output see the whole input; left: 3x3
     * depthwise stride 2 + BN, 1x1 + BN + ReLU; right: 1x1 + BN + ReLU, 3x3 depthwise stride 2 + BN, 1x1 + BN + ReLU;
     * concatenate, shuffle (g = 2).
     */
    static final class DownUnit extends Unit {
        private final ConvBn leftDepthwise;
        private final ConvBn leftProject;
        private final ConvBn rightReduce;
        private final ConvBn rightDepthwise;
        private final ConvBn rightProject;

        DownUnit(int in, int out) {
            int mid = out / 2;
            leftDepthwise = addChildBlock("leftDepthwise", new ConvBn(in, 3, 2, in, false));
            leftProject = addChildBlock("leftProject", new ConvBn(mid, 1, 1));
            rightReduce = addChildBlock("rightReduce", new ConvBn(mid, 1, 1));
            rightDepthwise = addChildBlock("rightDepthwise", new ConvBn(mid, 3, 2, mid, false));
            rightProject = addChildBlock("rightProject", new ConvBn(mid, 1, 1));
        }

        @Override
        NDList apply(Forward f, NDArray x) {
            return f.unit(this, x, in -> {
                NDArray left = f.relu(leftProject.forward(f, leftDepthwise.forward(f, in)));
                NDArray right = f.relu(rightReduce.forward(f, in));
                right = f.relu(rightProject.forward(f, rightDepthwise.forward(f, right)));
                return new NDList(f.shuffle(f.concat(left, right), 2));
            });
        }
    }
}
