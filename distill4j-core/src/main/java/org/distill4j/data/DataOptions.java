package org.distill4j.data;

import java.util.List;

/**
 * Options that only some data sets use; each data set ignores the ones that do not apply to it (CIFAR images are
 * 32x32 whatever {@code imageSize} says), except that asking for coarse labels anywhere but CIFAR-100 is an error.
 *
 * @param imageSize      side of the square images a {@code folder} data set is resized to
 * @param labels         CIFAR-100's label set: "fine" (100 classes) or "coarse" (20 superclasses)
 * @param skipUnreadable for {@code folder}: leave out images that cannot be decoded (counted in
 *                       {@link DataSplit#skipped()}) instead of failing
 * @param valFraction    for {@code folder} without a val/ subfolder: the share of each class held out for validation
 * @param border         every data set: pixels of black (0) added on each side of every image at load time, training
 *                       and test alike (2 makes Fashion-MNIST's 28x28 the 32x32 that PyTorch recipes pad it to)
 */
public record DataOptions(int imageSize, String labels, boolean skipUnreadable, double valFraction, int border) {
    public static final List<String> LABELS = List.of("fine", "coarse");

    public DataOptions {
        // 8 is the smallest image a CIFAR ResNet's three stride-2 stages leave a pixel of; 1024 keeps one image's
        // uint8 copy at 3 MB, so a folder of a few thousand still fits in memory.
        if (imageSize < 8 || imageSize > 1024) {
            throw new IllegalArgumentException("imageSize must be in 8..1024, got " + imageSize);
        }
        if (labels == null || !LABELS.contains(labels)) {
            throw new IllegalArgumentException("labels must be one of " + String.join(", ", LABELS) + ", got '" + labels + "'");
        }
        // Above 0.9 too little is left to train on; 0 would leave nothing to validate on.
        if (!(valFraction > 0 && valFraction <= 0.9)) {
            throw new IllegalArgumentException("valFraction must be in (0, 0.9], got " + valFraction);
        }
        if (border < 0 || border > 64) {
            throw new IllegalArgumentException("border must be in 0..64, got " + border);
        }
    }

    /** No border. */
    public DataOptions(int imageSize, String labels, boolean skipUnreadable, double valFraction) {
        this(imageSize, labels, skipUnreadable, valFraction, 0);
    }

    /** 32x32 like CIFAR, fine labels, fail on an unreadable image, hold out 10% when there is no val/ folder. */
    public static DataOptions defaults() {
        return new DataOptions(32, "fine", false, 0.1);
    }
}
