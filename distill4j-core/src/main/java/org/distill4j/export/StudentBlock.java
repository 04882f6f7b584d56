package org.distill4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.distill4j.model.Network;

/**
 * A trained network as DJL's image translators feed it: images {@code (B, C, H, W)} in [0, 1] (what
 * {@code ToTensor} gives), normalised here with the training data's per-channel mean and std (DJL's own
 * {@code normalize} argument takes three channels only), then the network in inference mode; returns the logits
 * {@code (B, K)}.
 */
public final class StudentBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final Network network;
    private final float[] mean;
    private final float[] std;

    public StudentBlock(Network network, float[] mean, float[] std) {
        super(VERSION);
        if (mean.length != network.spec().inChannels() || std.length != mean.length) {
            throw new IllegalArgumentException("mean and std need one value per input channel ("
                    + network.spec().inChannels() + "), got " + mean.length + " and " + std.length);
        }
        this.network = addChildBlock("network", network);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** The network inside. */
    public Network network() {
        return network;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head(); // (B, C, H, W) in [0, 1]
        NDManager m = x.getManager();
        Shape perChannel = new Shape(1, mean.length, 1, 1);
        NDArray normed = x.sub(m.create(mean, perChannel)).div(m.create(std, perChannel));
        return new NDList(network.features(ps, normed, false).logits());
    }

    /** Nothing to do: the factory builds the network initialised and loads its parameters. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return network.getOutputShapes(inputShapes);
    }
}
