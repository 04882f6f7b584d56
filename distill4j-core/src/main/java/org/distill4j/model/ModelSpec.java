package org.distill4j.model;

import java.util.List;

/**
 * Architecture choice: which ResNet, how wide, for how many classes and input channels.
 *
 * @param name one of {@link #NAMES}, as written on the command line
 * @param width base width w: stage i has w * 2^(i-1) channels (x4 for bottleneck nets); 64 is the paper's
 * @param numClasses number of classes K of the classifier
 * @param inChannels input image channels (3 for CIFAR, 1 for Fashion-MNIST)
 */
public record ModelSpec(String name, int width, int numClasses, int inChannels) {

    /** The architectures distill4j builds; "-cbam" adds CBAM to every residual block. */
    public static final List<String> NAMES =
            List.of(
                    "resnet18",
                    "resnet34",
                    "resnet50",
                    "resnet18-cbam",
                    "resnet34-cbam",
                    "resnet50-cbam");

    /** Fails early, naming the field and the allowed values, instead of failing inside libtorch. */
    public ModelSpec {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException(
                    "unknown model name '" + name + "'; allowed: " + String.join(", ", NAMES));
        }
        if (width < 1 || width > 1024) {
            throw new IllegalArgumentException("width must be in [1, 1024], got " + width);
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if (inChannels < 1) {
            throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        }
    }

    /** Returns the depth in the name: 18, 34 or 50. */
    public int depth() {
        return Integer.parseInt(name.substring("resnet".length(), "resnet".length() + 2));
    }

    /** Returns whether every residual block carries CBAM. */
    public boolean cbam() {
        return name.endsWith("-cbam");
    }

    /** Returns whether the blocks are bottlenecks (ResNet50 and deeper, He et al. 2016, Table 1). */
    public boolean bottleneck() {
        return depth() >= 50;
    }
}
