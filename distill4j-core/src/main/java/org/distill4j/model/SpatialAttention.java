package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * CBAM's spatial attention (Woo et al., ECCV 2018, Eq. 3): {@code M_s = sigmoid(BN(conv7x7([mean_c(x);
 * max_c(x)])))}, a 2 -> 1 conv with padding 3 and no bias, then BatchNorm(1) as in the reference code's
 * {@code BasicConv}. Output {@code x * M_s}.
 */
final class SpatialAttention extends AbstractBlock {

    private static final byte VERSION = 1;
    /** 7x7 beat 3x3 in the paper's ablation (Table 3). */
    private static final int KERNEL = 7;

    private final Conv2d conv;
    private final BatchNorm norm;

    SpatialAttention() {
        super(VERSION);
        conv = addChildBlock("conv", Layers.conv(1, KERNEL, 1));
        // The reference code's BatchNorm2d(momentum=0.01); DJL counts momentum the other way round.
        norm = addChildBlock("norm", BatchNorm.builder().optMomentum(0.99f).build());
    }

    /** Returns the attention weights {@code M_s}, {@code (B, 1, H, W)}, each in (0, 1). */
    NDArray weights(Forward f, NDArray x) {
        NDArray pooled = f.concat(f.channelMean(x), f.channelMax(x)); // (B, 2, H, W)
        return f.sigmoid(f.convBn(conv, norm, pooled)); // (B, 1, H, W)
    }

    /** As {@link #weights(Forward, NDArray)}, with DJL's blocks. */
    NDArray weights(ParameterStore ps, NDArray x, boolean training) {
        return weights(Forward.of(ps, training), x);
    }

    /** {@code x * M_s}. */
    NDArray apply(Forward f, NDArray x) {
        return f.mul(x, weights(f, x));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(Forward.of(ps, training), inputs.singletonOrThrow()));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape[] pooled = {new Shape(in.get(0), 2, in.get(2), in.get(3))}; // (B, 2, H, W)
        conv.initialize(manager, dataType, pooled);
        norm.initialize(manager, dataType, conv.getOutputShapes(pooled));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
