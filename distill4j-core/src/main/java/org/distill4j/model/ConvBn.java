package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** A convolution followed by BatchNorm, the zoo's commonest pair; the folded copy runs it as one conv. */
final class ConvBn extends Unit {
    private final Conv2d conv;
    private final BatchNorm bn;

    /**
     * @param filters output channels
     * @param kernel  square kernel, "same" padding (k / 2)
     * @param stride  stride
     * @param groups  conv groups (input channels for a depthwise conv)
     * @param bias    whether the conv has a bias (VGG's do, though BatchNorm cancels it)
     */
    ConvBn(int filters, int kernel, int stride, int groups, boolean bias) {
        conv = addChildBlock("conv", Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optGroups(groups)
                .optBias(bias)
                .build());
        bn = addChildBlock("bn", Layers.batchNorm());
    }

    /** A bias-free conv with one group. */
    ConvBn(int filters, int kernel, int stride) {
        this(filters, kernel, stride, 1, false);
    }

    /** {@code bn(conv(x))}, no activation. */
    NDArray forward(Forward f, NDArray x) {
        return f.unit(this, x, in -> new NDList(f.convBn(conv, bn, in))).singletonOrThrow();
    }

    @Override
    NDList apply(Forward f, NDArray x) {
        return new NDList(forward(f, x));
    }
}
