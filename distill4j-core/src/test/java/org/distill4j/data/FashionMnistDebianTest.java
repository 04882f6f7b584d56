package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real files from Debian's dataset-fashion-mnist; skipped where the package is not installed. */
class FashionMnistDebianTest {
    @TempDir
    Path emptyDataDir;

    @Test
    void realFilesHaveTheOfficialShapeAndBalancedLabels() {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnistReader.DEBIAN_DIR), "dataset-fashion-mnist not installed");
        DataSplit split = Datasets.load("fashion-mnist", emptyDataDir); // nothing in the data dir: falls back to Debian
        assertEquals(60_000, split.train().size());
        assertEquals(10_000, split.test().size());
        assertEquals(1, split.train().channels());
        assertEquals(28, split.train().height());
        assertEquals(28, split.train().width());
        int[] counts = new int[10];
        for (int label : split.train().labels()) {
            counts[label]++;
        }
        int[] expected = new int[10];
        java.util.Arrays.fill(expected, 6000);
        assertArrayEquals(expected, counts);
        // Known statistic of Fashion-MNIST's training set: mean 0.2860, std 0.3530 (widely used Normalize values).
        assertEquals(0.2860, split.train().channelMean()[0], 5e-4);
        assertEquals(0.3530, split.train().channelStd()[0], 5e-4);
    }

    @Test
    void verifyChecksContentChecksums() {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnistReader.DEBIAN_DIR), "dataset-fashion-mnist not installed");
        String summary = Datasets.verify("fashion-mnist", emptyDataDir);
        assertTrue(summary.contains("60000 train / 10000 test"), summary);
        assertTrue(summary.contains("f4a8712d7a061bf5bd6d2ca38dc4d50a"), summary);
    }
}
