package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {
    @Test
    void deterministicFromSeed() {
        ImageDataset a = SyntheticDataset.generate(50, 10, 3, 16, 7);
        ImageDataset b = SyntheticDataset.generate(50, 10, 3, 16, 7);
        ImageDataset c = SyntheticDataset.generate(50, 10, 3, 16, 8);
        assertEquals(a.sha256(), b.sha256());
        assertArrayEquals(a.images(), b.images());
        assertNotEquals(a.sha256(), c.sha256());
        assertEquals(3 * 16 * 16 * 50, a.images().length);
    }

    @Test
    void labelsAreBalanced() {
        int[] counts = new int[10];
        for (int label : SyntheticDataset.generate(1000, 10, 3, 8, 1).labels()) {
            counts[label]++;
        }
        int[] expected = new int[10];
        java.util.Arrays.fill(expected, 100);
        assertArrayEquals(expected, counts);
    }

    @Test
    void splitTestImagesAreNewButSameShape() {
        DataSplit s = SyntheticDataset.split(100, 40, 5, 1, 12, 3);
        assertEquals(100, s.train().size());
        assertEquals(40, s.test().size());
        assertEquals(1, s.test().channels());
        assertEquals(5, s.test().numClasses());
        assertNotEquals(s.train().head(40).sha256(), s.test().sha256());
    }

    /**
     * Nearest class mean on raw pixels, fitted on train and scored on held-out test images: if even this
     * simple classifier is far above chance (10%), a CNN has an easy signal to learn. In RGB the colour alone
     * separates the classes; in greyscale only the intensity does (orientation is invisible to a class mean),
     * hence the lower floor there.
     */
    @Test
    void classesAreSeparableByNearestClassMean() {
        DataSplit rgb = SyntheticDataset.split(1000, 300, 10, 3, 32, 11);
        double rgbAccuracy = nearestMeanAccuracy(rgb.train(), rgb.test());
        assertTrue(rgbAccuracy > 0.8, "RGB nearest-class-mean accuracy " + rgbAccuracy);
        DataSplit grey = SyntheticDataset.split(1000, 300, 10, 1, 28, 11);
        double greyAccuracy = nearestMeanAccuracy(grey.train(), grey.test());
        assertTrue(greyAccuracy > 0.35, "greyscale nearest-class-mean accuracy " + greyAccuracy);
    }

    static double nearestMeanAccuracy(ImageDataset train, ImageDataset test) {
        int d = train.channels() * train.height() * train.width();
        int k = train.numClasses();
        double[][] means = new double[k][d];
        int[] counts = new int[k];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
            for (int p = 0; p < d; p++) {
                means[train.label(i)][p] += train.images()[i * d + p] & 0xFF;
            }
        }
        for (int c = 0; c < k; c++) {
            for (int p = 0; p < d; p++) {
                means[c][p] /= counts[c];
            }
        }
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int p = 0; p < d; p++) {
                    double diff = (test.images()[i * d + p] & 0xFF) - means[c][p];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            correct += best == test.label(i) ? 1 : 0;
        }
        return correct / (double) test.size();
    }
}
