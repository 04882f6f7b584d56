package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Convolutional Block Attention Module (Woo et al., ECCV 2018): channel attention, then spatial
 * attention, in that order because the paper found it best (Table 4). Keeps the input's shape.
 */
final class Cbam extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ChannelAttention channel;
    private final SpatialAttention spatial;

    Cbam(int channels) {
        super(VERSION);
        channel = addChildBlock("channel", new ChannelAttention(channels));
        spatial = addChildBlock("spatial", new SpatialAttention());
    }

    ChannelAttention channel() {
        return channel;
    }

    SpatialAttention spatial() {
        return spatial;
    }

    /** Channel then spatial attention on x, {@code (B, C, H, W)}; the same shape out. */
    NDArray apply(Forward f, NDArray x) {
        f.enter(this, x);
        return spatial.apply(f, channel.apply(f, x));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(Forward.of(ps, training), inputs.singletonOrThrow()));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        channel.initialize(manager, dataType, inputShapes);
        spatial.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
