package org.distill4j.report;

import java.awt.image.BufferedImage;

/**
 * Viridis (van der Walt &amp; Smith, matplotlib 2.0's default): dark purple for 0, through blue and green, to
 * yellow for 1. Perceptually ordered: its lightness rises monotonically, so a brighter pixel always means a larger
 * value, also in grey print and for colour-blind readers (a rainbow map has neither property).
 */
final class Colormap {
    /** Viridis sampled at 0, 0.1, .., 1; linear interpolation between them is within a few levels of the full table. */
    private static final int[] ANCHORS = {
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    };

    private Colormap() {}

    /** The colour of v in [0, 1] as 0xRRGGBB; values outside are clamped, NaN is drawn as 0. */
    static int rgb(double v) {
        double x = Double.isNaN(v) ? 0 : Math.min(1, Math.max(0, v)) * (ANCHORS.length - 1);
        int i = Math.min((int) x, ANCHORS.length - 2);
        double f = x - i;
        int a = ANCHORS[i];
        int b = ANCHORS[i + 1];
        int r = mix(a >> 16, b >> 16, f);
        int g = mix(a >> 8, b >> 8, f);
        int bl = mix(a, b, f);
        return (r << 16) | (g << 8) | bl;
    }

    /** Rec. 709 luma of a 0xRRGGBB colour, 0..255: the brightness a reader perceives, near enough. */
    static double luma(int rgb) {
        return 0.2126 * ((rgb >> 16) & 0xFF) + 0.7152 * ((rgb >> 8) & 0xFF) + 0.0722 * (rgb & 0xFF);
    }

    /**
     * @param values (size, size) row-major, in [0, 1]
     * @return the values as a size x size colour image
     */
    static BufferedImage image(float[] values, int size) {
        if (values.length != size * size) {
            throw new IllegalArgumentException("a " + size + "x" + size + " heat map needs " + size * size
                    + " values, got " + values.length);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, rgb(values[y * size + x]));
            }
        }
        return image;
    }

    /** A vertical colour bar, 1 at the top and 0 at the bottom. */
    static BufferedImage bar(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            int c = rgb(1 - y / (double) Math.max(1, height - 1));
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, c);
            }
        }
        return image;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xFF) * (1 - f) + (b & 0xFF) * f);
    }
}
