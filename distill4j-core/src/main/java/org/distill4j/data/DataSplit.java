package org.distill4j.data;

import java.util.Objects;

/**
 * The train and test halves of one data set. Kept together because normalisation statistics come from the
 * training set and are applied to both.
 */
public record DataSplit(ImageDataset train, ImageDataset test) {
    public DataSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train images are " + train.channels() + "x" + train.height() + "x"
                    + train.width() + " but test images are " + test.channels() + "x" + test.height() + "x" + test.width());
        }
    }
}
