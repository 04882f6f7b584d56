package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * CBAM's channel attention (Woo et al., ECCV 2018, Eq. 2): {@code M_c = sigmoid(MLP(avgpool(x)) +
 * MLP(maxpool(x)))}, one MLP shared by both pooled descriptors, {@code C -> max(1, C/16) -> C} with
 * ReLU between and biases (the reference code uses {@code nn.Linear}). Output {@code x * M_c}.
 */
final class ChannelAttention extends AbstractBlock {

    private static final byte VERSION = 1;
    /** Reduction ratio r = 16, the paper's default (Sec. 4.1). */
    static final int REDUCTION = 16;

    private final Linear reduce;
    private final Linear expand;

    ChannelAttention(int channels) {
        super(VERSION);
        int hidden = Math.max(1, channels / REDUCTION);
        reduce = addChildBlock("reduce", Linear.builder().setUnits(hidden).build());
        expand = addChildBlock("expand", Linear.builder().setUnits(channels).build());
    }

    /** Returns the attention weights {@code M_c}, {@code (B, C, 1, 1)}, each in (0, 1). */
    NDArray weights(Forward f, NDArray x) {
        NDArray avg = mlp(f, f.globalAvgPool(x)); // (B, C)
        NDArray max = mlp(f, f.globalMaxPool(x)); // (B, C)
        return f.asMap(f.sigmoid(f.add(avg, max)));
    }

    /** As {@link #weights(Forward, NDArray)}, with DJL's blocks. */
    NDArray weights(ParameterStore ps, NDArray x, boolean training) {
        return weights(Forward.of(ps, training), x);
    }

    private NDArray mlp(Forward f, NDArray pooled) {
        return f.linear(expand, f.relu(f.linear(reduce, pooled))); // (B, C/r) -> (B, C)
    }

    /** {@code x * M_c}. */
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
        Shape pooled = inputShapes[0].slice(0, 2); // (B, C)
        reduce.initialize(manager, dataType, pooled);
        expand.initialize(manager, dataType, reduce.getOutputShapes(new Shape[] {pooled}));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
