package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * VGG with BatchNorm (Simonyan &amp; Zisserman 2015) in RepDistiller's CIFAR form: five groups of 3x3 conv (with
 * bias) + BatchNorm + ReLU, 2x2 max-pooling after groups 1-3 (and after group 4 only for inputs of 64 px or
 * more, i.e. when group 4's output is still 8x8 or larger), global average pooling and one linear classifier
 * of 512 inputs (no fully connected stack). VGG8 is RepDistiller's configuration "S", one conv per group.
 *
 * <p>The first group's output is the stem (RepDistiller's f0); groups 2-5 are the four stages, so at 32 px
 * the stages are 16, 8, 4 and 4 pixels wide.
 */
public final class Vgg extends Network {

    private static final byte VERSION = 1;
    private static final Map<Integer, int[][]> CONFIGS = Map.of(
            8, new int[][] {{64}, {128}, {256}, {512}, {512}},
            11, new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}},
            13, new int[][] {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}},
            16, new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}},
            19, new int[][] {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512},
                {512, 512, 512, 512}});

    private final List<Group<ConvBn>> groups = new ArrayList<>();
    private final Linear classifier;

    /** Builds the (uninitialised) network; the name gives the depth ({@code vgg13}). */
    public Vgg(ModelSpec spec) {
        super(VERSION, spec);
        int[][] config = CONFIGS.get(spec.architecture().depth());
        int[] channels = new int[config.length];
        for (int g = 0; g < config.length; g++) {
            Group<ConvBn> group = new Group<>();
            for (int filters : config[g]) {
                group.add(new ConvBn(filters, 3, 1, 1, true));
            }
            channels[g] = config[g][config[g].length - 1];
            groups.add(addChildBlock("group" + (g + 1), group));
        }
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec.numClasses()).build());
        declareStages(java.util.Arrays.copyOfRange(channels, 1, channels.length)); // group 1 is the stem
    }




    @Override
    Features run(Forward f, NDArray x) {
        List<NDArray> blocks = new ArrayList<>();
        List<NDArray> outputs = new ArrayList<>();
        List<NDArray> preacts = new ArrayList<>();
        NDArray stem = null;
        NDArray h = x;
        for (int g = 0; g < groups.size(); g++) {
            if (g > 0) {
                h = poolAfter(f, g, h);
            }
            NDArray pre = group(f, g, h, blocks);
            h = blocks.get(blocks.size() - 1);
            if (g == 0) {
                stem = h; // (B, 64, H, W)
            } else {
                outputs.add(h); // (B, C_g, H_g, W_g)
                preacts.add(pre);
            }
        }
        NDArray pooled = f.globalAvgPool(h); // (B, 512)
        return new Features(f.linear(classifier, pooled), outputs, preacts, pooled, blocks, stem);
    }

    @Override
    NDArray tail(Forward f, NDArray h, int stage) {
        for (int g = stage + 1; g < groups.size(); g++) {
            List<NDArray> layers = new ArrayList<>();
            group(f, g, poolAfter(f, g, h), layers);
            h = layers.get(layers.size() - 1);
        }
        return f.linear(classifier, f.globalAvgPool(h));
    }

    /**
     * Runs group g: conv + BN + ReLU per layer, each layer's output appended to {@code outputs}.
     *
     * @return the last layer's output before its ReLU
     */
    private NDArray group(Forward f, int g, NDArray h, List<NDArray> outputs) {
        f.enter(groups.get(g), h);
        NDArray pre = null;
        for (ConvBn layer : groups.get(g).units()) {
            pre = layer.forward(f, h);
            h = f.relu(pre);
            outputs.add(h);
        }
        return pre;
    }

    /** The max-pool between group g-1 and group g: always for g = 1..3; before the last group only if >= 8 px. */
    private static NDArray poolAfter(Forward f, int g, NDArray h) {
        if (g < 4 || h.getShape().get(2) >= 8) {
            return f.maxPool(h, 2, 2);
        }
        return h;
    }
}
