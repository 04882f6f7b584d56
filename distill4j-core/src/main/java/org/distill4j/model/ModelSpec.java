package org.distill4j.model;

import java.util.List;

/**
 * Architecture choice: which network, how wide, for how many classes and input channels.
 *
 * @param name       a name {@link Architecture#parse} accepts, as written on the command line
 * @param width      base width w of the seed's ResNets (stage i has w * 2^(i-1) channels, x4 for bottlenecks;
 *                   64 is the paper's, 0 means 64). Every other family carries its width in its name and takes 0.
 * @param numClasses number of classes K of the classifier
 * @param inChannels input image channels (3 for CIFAR, 1 for Fashion-MNIST)
 */
public record ModelSpec(String name, int width, int numClasses, int inChannels) {

    /** The names {@code distill4j models} lists (see {@link Architecture#NAMES}). */
    public static final List<String> NAMES = Architecture.NAMES;

    /** Fails early, naming the field and the allowed values, instead of failing inside libtorch. */
    public ModelSpec {
        Architecture arch = Architecture.parse(name);
        if (arch.hasWidth()) {
            width = width == 0 ? Architecture.DEFAULT_RESNET_WIDTH : width;
            if (width < 1 || width > 1024) {
                throw new IllegalArgumentException("width must be in [1, 1024] (0: 64), got " + width);
            }
        } else if (width != 0) {
            throw new IllegalArgumentException("model '" + name + "' takes no width (got " + width + "): its width"
                    + " is in its name (wrn-D-K, shufflenetv2-0.5x, mobilenetv2-0.75x, resnet8x4); width applies to"
                    + " resnet18/34/50/101/152 only. Leave it out or set it to 0");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if (inChannels < 1) {
            throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        }
    }

    /** The model as tables name it: "resnet50-cbam w16" for the seed's ResNets, the bare name otherwise. */
    public String label() {
        return label(name, width);
    }

    /** As {@link #label()}, for a name and width read from a file (width 0 of a seed ResNet: 64). */
    public static String label(String name, int width) {
        boolean hasWidth;
        try {
            hasWidth = Architecture.parse(name).hasWidth();
        } catch (IllegalArgumentException unknownName) {
            hasWidth = width > 0;
        }
        return hasWidth ? name + " w" + (width > 0 ? width : Architecture.DEFAULT_RESNET_WIDTH) : name;
    }

    /** Returns the parsed name. */
    public Architecture architecture() {
        return Architecture.parse(name);
    }

    /** Returns the depth in the name (18, 34, 50, 101, 152 for the seed's ResNets). */
    public int depth() {
        return architecture().depth();
    }

    /** Returns whether every residual block carries CBAM. */
    public boolean cbam() {
        return architecture().cbam();
    }

    /** Returns whether the blocks are bottlenecks (the seed's ResNet50 and deeper, He et al. 2016, Table 1). */
    public boolean bottleneck() {
        Architecture a = architecture();
        return a.family() == Architecture.Family.RESNET && a.depth() >= 50;
    }
}
