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
 * A composite layer of the zoo's networks (a conv with its BatchNorm, a residual or shuffle unit, a stage): a DJL
 * block for its parameters' names and storage, whose computation is {@link #apply}, written against
 * {@link Forward}. Its children are initialised by the network's initialising forward, for the shapes that
 * actually reach them, so a unit never propagates shapes by hand.
 */
abstract class Unit extends AbstractBlock {

    private static final byte VERSION = 1;

    Unit() {
        super(VERSION);
    }

    /** Runs the unit; what it returns (first the output, then any side outputs) is the unit's own contract. */
    abstract NDList apply(Forward f, NDArray x);

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(Forward.of(ps, training), inputs.singletonOrThrow()).get(0));
    }

    /** Nothing to do: the network's initialising forward reaches every child (see {@link Forward#initializing}). */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}

    /** Shapes are found by running the network, not declared per unit. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + ": run the network to see its shapes");
    }
}
