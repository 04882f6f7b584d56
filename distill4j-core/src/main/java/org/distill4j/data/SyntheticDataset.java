package org.distill4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates a data set a small CNN learns in an epoch or two, for tests, benchmarks and the demo without files.
 *
 * <p>Each image is a Gaussian blob of stripes at a random position on a noisy background. The class fixes the
 * stripes' orientation and frequency and the blob's colour (one intensity per channel); position, phase,
 * brightness and noise are random. So the class is visible both in colour (a linear model sees it) and in
 * oriented texture (what convolutions see), while no two images are alike. Deterministic from the seed.
 */
public final class SyntheticDataset {
    private static final double BACKGROUND = 40;  // dark grey, so the blob stands out in every channel
    private static final double AMPLITUDE = 200;  // blob peak above background: keeps values inside 0..255
    private static final double NOISE_STD = 12;   // per-pixel noise, enough that no pixel alone decides the class

    private SyntheticDataset() {
    }

    /**
     * @param n      number of images; labels are balanced (n / numClasses each, the rest spread) and shuffled
     * @param size   height = width in pixels
     * @return (n, channels, size, size) uint8 images named "synthetic"
     */
    public static ImageDataset generate(int n, int numClasses, int channels, int size, long seed) {
        if (n < 0 || numClasses < 1 || channels < 1 || size < 4) {
            throw new IllegalArgumentException("synthetic data needs n >= 0, numClasses >= 1, channels >= 1 and"
                    + " size >= 4; got n=" + n + ", numClasses=" + numClasses + ", channels=" + channels + ", size=" + size);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % numClasses;
        }
        int[] order = Seeds.permutation(n, new SplittableRandom(Seeds.mix(seed, -1)));
        int[] shuffled = new int[n];
        for (int i = 0; i < n; i++) {
            shuffled[i] = labels[order[i]];
        }
        int imageBytes = channels * size * size;
        byte[] images = new byte[n * imageBytes];
        for (int i = 0; i < n; i++) {
            // One stream per image: image i depends only on (seed, i) and its class, not on the images before it.
            render(images, i * imageBytes, shuffled[i], numClasses, channels, size, new SplittableRandom(Seeds.mix(seed, i)));
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            names.add("class" + k);
        }
        return new ImageDataset("synthetic", images, shuffled, channels, size, size, names);
    }

    /** Train and test drawn from the same distribution with different seeds, so test images are new. */
    public static DataSplit split(int trainSize, int testSize, int numClasses, int channels, int size, long seed) {
        return new DataSplit(generate(trainSize, numClasses, channels, size, Seeds.mix(seed, 0)),
                generate(testSize, numClasses, channels, size, Seeds.mix(seed, 1)));
    }

    /** Draws one image of class {@code k} into {@code out} at {@code offset}, layout (C, H, W). */
    private static void render(byte[] out, int offset, int k, int numClasses, int channels, int size, SplittableRandom rng) {
        double angle = Math.PI * k / numClasses;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double cycles = 3 + (k % 3);                       // stripes across the image: 3, 4 or 5
        double sigma = size / 5.0;                         // blob radius
        double cy = size * (0.3 + 0.4 * rng.nextDouble());  // centre within the middle 40%
        double cx = size * (0.3 + 0.4 * rng.nextDouble());
        double phase = 2 * Math.PI * rng.nextDouble();
        double brightness = 0.95 + 0.1 * rng.nextDouble();
        double[] colour = colour(k, numClasses, channels);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double r2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
                double blob = Math.exp(-r2 / (2 * sigma * sigma));
                double stripe = 0.6 + 0.4 * Math.cos(2 * Math.PI * cycles * (x * cos + y * sin) / size + phase);
                double signal = AMPLITUDE * brightness * blob * stripe;
                for (int c = 0; c < channels; c++) {
                    double v = BACKGROUND + signal * colour[c] + NOISE_STD * rng.nextGaussian();
                    out[offset + c * plane + y * size + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
    }

    /**
     * The class's colour, one weight in [0.2, 1] per channel: class k written in base L (L levels per channel,
     * the fewest with L^channels >= numClasses), one digit per channel. This spreads the classes over the colour
     * cube as far apart as a grid allows: 3 levels for 10 classes in RGB, so two classes differ by at least 0.4
     * in some channel.
     */
    static double[] colour(int k, int numClasses, int channels) {
        int levels = 2;
        while (Math.pow(levels, channels) < numClasses) {
            levels++;
        }
        double[] colour = new double[channels];
        int rest = k;
        for (int c = 0; c < channels; c++) {
            colour[c] = 0.2 + 0.8 * (rest % levels) / (levels - 1);
            rest /= levels;
        }
        return colour;
    }
}
