package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * One residual block: {@code ReLU(cbam(branch(x)) + shortcut(x))}. The branch is conv-BN pairs with
 * ReLU between them: the basic 3x3, 3x3 pair (ResNet18/34) or the 1x1, 3x3, 1x1 bottleneck (ResNet50;
 * He et al. 2016, Fig. 5). CBAM, when present, refines the branch before the addition (Woo et al. 2018,
 * Fig. 3). The shortcut is a 1x1 conv + BN when the shape changes (option B of He et al.), else identity.
 */
final class ResidualBlock extends AbstractBlock {

    private static final byte VERSION = 1;
    /** A bottleneck's output has 4x its inner width (He et al. 2016, Table 1). */
    static final int EXPANSION = 4;

    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> norms = new ArrayList<>();
    private final Cbam cbam; // null without CBAM
    private final Conv2d shortcutConv; // null for an identity shortcut
    private final BatchNorm shortcutNorm;

    private ResidualBlock(
            List<Conv2d> branch, int inChannels, int outChannels, int stride, boolean withCbam) {
        super(VERSION);
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

    /** The branch's convolutions, in order; {@code norms().get(i)} follows {@code convs().get(i)}. */
    List<Conv2d> convs() {
        return convs;
    }

    List<BatchNorm> norms() {
        return norms;
    }

    /** Returns CBAM, or null without it. */
    Cbam cbam() {
        return cbam;
    }

    /** Returns the shortcut's 1x1 conv, or null for an identity shortcut. */
    Conv2d shortcutConv() {
        return shortcutConv;
    }

    BatchNorm shortcutNorm() {
        return shortcutNorm;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow(); // (B, C_in, H, W)
        // DJL frees an intermediate only when its manager closes; without this scope a forward holds every
        // intermediate of the whole network until the step ends (measured: 17.7 GB peak for ResNet50+CBAM
        // at batch 256). Autograd keeps what backward needs through libtorch's own references.
        return Layers.scoped(x, in -> residual(ps, in, training));
    }

    private NDList residual(ParameterStore ps, NDArray x, boolean training) {
        NDArray out = x;
        for (int i = 0; i < convs.size(); i++) {
            out = Layers.apply(norms.get(i), ps, Layers.apply(convs.get(i), ps, out, training), training);
            if (i < convs.size() - 1) {
                out = Activation.relu(out);
            }
        } // (B, C_out, H / stride, W / stride)
        if (cbam != null) {
            out = Layers.apply(cbam, ps, out, training);
        }
        NDArray skip = x;
        if (shortcutConv != null) {
            skip = Layers.apply(shortcutNorm, ps, Layers.apply(shortcutConv, ps, x, training), training);
        }
        return new NDList(Activation.relu(out.add(skip)));
    }

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
