package org.distill4j.data;

/**
 * Training-time augmentation: zero-pad each side by {@code pad}, crop a random window of the original size, and,
 * if {@code flip}, mirror left-right with probability 0.5. This is torchvision's
 * {@code RandomCrop(size, padding=pad)} + {@code RandomHorizontalFlip()}, the standard CIFAR recipe
 * (He et al. 2016, section 4.2).
 */
public record Augmentation(int pad, boolean flip) {
    public Augmentation {
        if (pad < 0) {
            throw new IllegalArgumentException("augmentation pad must be >= 0, got " + pad);
        }
    }

    /** No padding, no flip: what evaluation uses. */
    public static Augmentation none() {
        return new Augmentation(0, false);
    }

    /** True when this augmentation changes nothing, so the loader can skip drawing random numbers. */
    boolean isIdentity() {
        return pad == 0 && !flip;
    }
}
