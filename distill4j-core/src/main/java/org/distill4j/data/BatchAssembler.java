package org.distill4j.data;

import java.util.SplittableRandom;

/**
 * Turns a list of record indices into a {@link HostBatch}: copy, pad-and-crop, flip and normalise in one pass
 * over each output pixel. Pure Java and stateless apart from its lookup table, so the loader can run it on a
 * background thread.
 */
final class BatchAssembler {
    private final ImageDataset dataset;
    private final Augmentation augmentation;
    private final float[][] lut; // [C][256]: normalised value of each uint8 level, so no division per pixel

    BatchAssembler(ImageDataset dataset, Augmentation augmentation, float[] mean, float[] std) {
        this.dataset = dataset;
        this.augmentation = augmentation;
        this.lut = lookupTable(mean, std);
    }

    /** lut[c][v] = (v/255 - mean[c]) / std[c], torchvision's ToTensor + Normalize. */
    static float[][] lookupTable(float[] mean, float[] std) {
        float[][] lut = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (float) ((v / 255.0 - mean[c]) / std[c]);
            }
        }
        return lut;
    }

    /**
     * @param indices records to take, in order
     * @param random  source of crop offsets and flips; used only when the augmentation changes something
     */
    HostBatch assemble(int[] indices, SplittableRandom random) {
        return assemble(indices, null, b -> random);
    }

    /**
     * Every record's augmentation from its own (record, view) stream, so a record's view looks the same in any
     * batch and any epoch.
     */
    HostBatch assembleView(int[] indices, ViewSchedule schedule, int view) {
        int[] views = new int[indices.length];
        java.util.Arrays.fill(views, view);
        return assemble(indices, views, b -> schedule.random(indices[b], view));
    }

    /** @param randomOf source of the crop and flip of the b-th record of the batch */
    private HostBatch assemble(int[] indices, int[] views, java.util.function.IntFunction<SplittableRandom> randomOf) {
        int c = dataset.channels();
        int h = dataset.height();
        int w = dataset.width();
        int imageSize = c * h * w;
        float[] data = new float[indices.length * imageSize]; // (B, C, H, W)
        int[] labels = new int[indices.length];
        int pad = augmentation.pad();
        for (int b = 0; b < indices.length; b++) {
            int dy = pad;
            int dx = pad; // (pad, pad) is the centre crop: the original image
            boolean flip = false;
            if (!augmentation.isIdentity()) {
                SplittableRandom random = randomOf.apply(b);
                dy = random.nextInt(2 * pad + 1);
                dx = random.nextInt(2 * pad + 1);
                flip = augmentation.flip() && random.nextBoolean();
            }
            augmentInto(dataset.images(), indices[b] * imageSize, c, h, w, pad, dy, dx, flip, lut, data, b * imageSize);
            labels[b] = dataset.label(indices[b]);
        }
        return new HostBatch(data, labels, indices.clone(), views, indices.length, c, h, w);
    }

    /**
     * Writes one augmented, normalised image: out(y, x) = padded(y + dy, x') with x' = (flip ? w-1-x : x) + dx,
     * where padded is the source zero-padded by {@code pad} on every side. Padding pixels are 0 before
     * normalisation, i.e. lut[c][0], as in torchvision's RandomCrop(padding) followed by Normalize.
     *
     * @param src       (N, C, H, W) uint8; the image starts at {@code srcOffset}
     * @param dy        crop row offset in the padded image, 0..2*pad ({@code pad} = no shift)
     * @param dx        crop column offset in the padded image, 0..2*pad
     * @param out       destination; the image's (C, H, W) floats start at {@code outOffset}
     */
    static void augmentInto(byte[] src, int srcOffset, int channels, int h, int w, int pad, int dy, int dx,
            boolean flip, float[][] lut, float[] out, int outOffset) {
        int plane = h * w;
        for (int c = 0; c < channels; c++) {
            float[] table = lut[c];
            int srcPlane = srcOffset + c * plane;
            int outPlane = outOffset + c * plane;
            for (int y = 0; y < h; y++) {
                int sy = y + dy - pad; // row in the unpadded source
                int outRow = outPlane + y * w;
                if (sy < 0 || sy >= h) {
                    java.util.Arrays.fill(out, outRow, outRow + w, table[0]);
                    continue;
                }
                int srcRow = srcPlane + sy * w;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx - pad;
                    out[outRow + x] = (sx < 0 || sx >= w) ? table[0] : table[src[srcRow + sx] & 0xFF];
                }
            }
        }
    }
}
