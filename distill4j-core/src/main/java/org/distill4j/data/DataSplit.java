package org.distill4j.data;

import java.util.List;
import java.util.Objects;

/**
 * The train and test halves of one data set. Kept together because normalisation statistics come from the
 * training set and are applied to both.
 *
 * @param skipped images left out because they could not be decoded (only a {@code folder} data set loaded with
 *                {@link DataOptions#skipUnreadable()} has any), as paths relative to the folder, e.g.
 *                {@code train/cat/x.jpg}, in sorted order: its size is the count, its head the first few for
 *                provenance
 */
public record DataSplit(ImageDataset train, ImageDataset test, List<String> skipped) {
    public DataSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        skipped = List.copyOf(skipped);
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train images are " + train.channels() + "x" + train.height() + "x"
                    + train.width() + " but test images are " + test.channels() + "x" + test.height() + "x" + test.width());
        }
    }

    /** A split with nothing skipped. */
    public DataSplit(ImageDataset train, ImageDataset test) {
        this(train, test, List.of());
    }
}
