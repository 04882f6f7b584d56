package org.distill4j.distill.terms;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A free trainable tensor as a block (VID's per-channel variances, AFD's positional embeddings), so a term's parts
 * are all blocks and train, save and load alike. Its forward ignores its input and returns the tensor.
 */
final class ParameterBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final Parameter parameter;
    private final Shape shape;

    ParameterBlock(String name, Shape shape, Initializer initializer) {
        super(VERSION);
        this.shape = shape;
        this.parameter = addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(shape).optInitializer(initializer).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(ps.getValue(parameter, inputs.head().getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {shape};
    }
}
