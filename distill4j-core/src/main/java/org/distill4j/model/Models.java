package org.distill4j.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Entry points for the rest of distill4j: build any model of the zoo by name, initialise it, count its parameters. */
public final class Models {

    private Models() {}

    /** Creates an uninitialised network; initialise it, or load parameters into it. */
    public static Network create(ModelSpec spec) {
        return switch (spec.architecture().family()) {
            case RESNET, CIFAR_RESNET -> new CifarResNet(spec);
            case WRN -> new WideResNet(spec);
            case VGG -> new Vgg(spec);
            case MOBILENETV2 -> new MobileNetV2(spec);
            case SHUFFLENETV1 -> new ShuffleNetV1(spec);
            case SHUFFLENETV2 -> new ShuffleNetV2(spec);
        };
    }

    /**
     * Creates and initialises parameters for input {@code (1, C, H, W)} in {@code manager} (float32,
     * DJL's default He-normal weights, BatchNorm gamma 1 and beta 0).
     *
     * @param spec the architecture
     * @param manager owns the parameter arrays
     * @param height input image height
     * @param width input image width
     * @return the initialised network
     */
    public static Network createInitialized(ModelSpec spec, NDManager manager, int height, int width) {
        Network model = create(spec);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, spec.inChannels(), height, width));
        return model;
    }

    /**
     * Counts learnable parameters as PyTorch's {@code sum(p.numel() for p in model.parameters())}
     * does: BatchNorm running mean/var (buffers there, non-trainable parameters in DJL) are left out.
     * Frozen parameters still count, so a frozen teacher reports its true size.
     *
     * @param block an initialised (or loaded) block
     * @return the number of learnable scalars
     */
    public static long countParameters(Block block) {
        long total = 0;
        for (Parameter p : block.getParameters().values()) {
            Parameter.Type type = p.getType();
            if (type == Parameter.Type.RUNNING_MEAN || type == Parameter.Type.RUNNING_VAR) {
                continue;
            }
            if (p.getShape() == null) {
                throw new IllegalStateException(
                        "parameter " + p.getName() + " has no shape: initialise the block first");
            }
            total += p.getShape().size();
        }
        return total;
    }
}
