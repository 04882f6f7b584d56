package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/** The few DJL layer recipes the zoo's networks repeat, so every block builds them the same way. */
final class Layers {

    private Layers() {}

    /**
     * A square convolution with "same" padding for odd kernels and no bias: BatchNorm follows every
     * conv in these nets, so a bias would be cancelled by its mean subtraction.
     */
    static Conv2d conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    /** BatchNorm over the channel axis (DJL's default axis 1 of NCHW; PyTorch's momentum 0.1). */
    static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(Forward.BN_EPSILON).build();
    }

    /** Runs a single-input, single-output block on one array. */
    static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }
}
