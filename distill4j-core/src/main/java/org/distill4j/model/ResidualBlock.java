package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * One residual block: {@code ReLU(cbam(branch(x)) + shortcut(x))}. The branch is conv-BN pairs with
 * ReLU between them: the basic 3x3, 3x3 pair (ResNet18/34, the CIFAR ResNets) or the 1x1, 3x3, 1x1 bottleneck
 * (ResNet50 and deeper; He et al. 2016, Fig. 5). CBAM, when present, refines the branch before the addition (Woo
 * et al. 2018, Fig. 3). The shortcut is a 1x1 conv + BN when the shape changes (option B of He et al.), else
 * identity.
 */
final class ResidualBlock extends Unit {
    /** A bottleneck's output has 4x its inner width (He et al. 2016, Table 1). */
    static final int EXPANSION = 4;

    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> norms = new ArrayList<>();
    private final Cbam cbam; // null without CBAM
    private final Conv2d shortcutConv; // null for an identity shortcut
    private final BatchNorm shortcutNorm;

    private ResidualBlock(
            List<Conv2d> branch, int inChannels, int outChannels, int stride, boolean withCbam) {
        for (int i = 0; i < branch.size(); i++) {
            convs.add(addChildBlock("conv" + (i + 1), branch.get(i)));
            norms.add(addChildBlock("bn" + (i + 1), Layers.batchNorm()));
        }
        cbam = withCbam ? addChildBlock("cbam", new Cbam(outChannels)) : null;
        boolean project = stride != 1 || inChannels != outChannels;
        shortcutConv = project ? addChildBlock("shortcutConv", Layers.conv(outChannels, 1, stride)) : null;
        shortcutNorm = project ? addChildBlock("shortcutBn", Layers.batchNorm()) : null;
    }

    /** Two 3x3 convs of {@code channels}; the first one carries the stride. */
    static ResidualBlock basic(int inChannels, int channels, int stride, boolean withCbam) {
        List<Conv2d> branch = List.of(Layers.conv(channels, 3, stride), Layers.conv(channels, 3, 1));
        return new ResidualBlock(branch, inChannels, channels, stride, withCbam);
    }

    /**
     * 1x1 reduce to {@code planes}, 3x3 with the stride (as in kuangliu/pytorch-cifar and torchvision),
     * 1x1 expand to {@code 4 * planes}.
     */
    static ResidualBlock bottleneck(int inChannels, int planes, int stride, boolean withCbam) {
        List<Conv2d> branch =
                List.of(
                        Layers.conv(planes, 1, 1),
                        Layers.conv(planes, 3, stride),
                        Layers.conv(planes * EXPANSION, 1, 1));
        return new ResidualBlock(branch, inChannels, planes * EXPANSION, stride, withCbam);
    }

    /** Returns CBAM, or null without it. */
    Cbam cbam() {
        return cbam;
    }

    /**
     * Runs the block.
     *
     * @return {@code [ReLU(sum), sum]}: the output and its pre-activation form
     */
    @Override
    NDList apply(Forward f, NDArray x) {
        return f.unit(this, x, in -> residual(f, in));
    }

    private NDList residual(Forward f, NDArray x) {
        NDArray out = x; // (B, C_in, H, W)
        for (int i = 0; i < convs.size(); i++) {
            out = f.convBn(convs.get(i), norms.get(i), out);
            if (i < convs.size() - 1) {
                out = f.relu(out);
            }
        } // (B, C_out, H / stride, W / stride)
        if (cbam != null) {
            out = cbam.apply(f, out);
        }
        NDArray skip = shortcutConv == null ? x : f.convBn(shortcutConv, shortcutNorm, x);
        NDArray sum = f.add(out, skip); // out is this block's own fresh array
        return new NDList(f.relu(sum), sum);
    }

    /** Shapes by hand, unlike other units: teachers saved before the zoo record them in their parameter files. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, shapes);
            shapes = convs.get(i).getOutputShapes(shapes);
            norms.get(i).initialize(manager, dataType, shapes);
        }
        if (cbam != null) {
            cbam.initialize(manager, dataType, shapes);
        }
        if (shortcutConv != null) {
            shortcutConv.initialize(manager, dataType, inputShapes);
            shortcutNorm.initialize(manager, dataType, shortcutConv.getOutputShapes(inputShapes));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Conv2d conv : convs) {
            shapes = conv.getOutputShapes(shapes);
        }
        return shapes;
    }
}
