package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    /** 100 images, 2x3x3, labels cycle through 4 classes: 25 each. */
    private static final ImageDataset DATA = TestFiles.dataset(100, 2, 3, 3, 4, (n, c, y, x) -> (n * 37 + c * 90 + y * 5 + x) % 256);

    @Test
    void subsetIsClassBalancedDeterministicAndMadeOfOriginals() {
        ImageDataset a = DATA.subset(20, 5);
        ImageDataset b = DATA.subset(20, 5);
        assertEquals(20, a.size());
        assertArrayEquals(a.images(), b.images());
        assertArrayEquals(a.labels(), b.labels());
        assertNotEquals(a.sha256(), DATA.subset(20, 6).sha256(), "another seed picks other records");
        int[] counts = new int[4];
        for (int label : a.labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {5, 5, 5, 5}, counts);
        Set<String> originals = new HashSet<>();
        for (int i = 0; i < DATA.size(); i++) {
            originals.add(image(DATA, i) + "/" + DATA.label(i));
        }
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            assertTrue(originals.contains(image(a, i) + "/" + a.label(i)), "record " + i + " comes from the data set");
            picked.add(image(a, i));
        }
        assertEquals(20, picked.size(), "no record twice");
        int[] uneven = new int[4];
        for (int label : DATA.subset(6, 1).labels()) {
            uneven[label]++;
        }
        assertTrue(java.util.Arrays.stream(uneven).allMatch(n -> n == 1 || n == 2), java.util.Arrays.toString(uneven));
    }

    @Test
    void subsetWhenOneClassRunsOut() {
        int[] labels = {0, 0, 0, 0, 0, 0, 0, 1};
        ImageDataset skewed = new ImageDataset("s", new byte[8], labels, 1, 1, 1, List.of("a", "b"));
        int[] counts = new int[2];
        for (int label : skewed.subset(4, 0).labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {3, 1}, counts);
    }

    private static String image(ImageDataset ds, int i) {
        int n = ds.channels() * ds.height() * ds.width();
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(ds.images(), i * n, (i + 1) * n));
    }

    @Test
    void meanAndStdMatchADirectComputation() {
        float[] mean = DATA.channelMean();
        float[] std = DATA.channelStd();
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < 100; i++) {
                for (int p = 0; p < 9; p++) {
                    sum += (DATA.images()[i * 18 + c * 9 + p] & 0xFF) / 255.0;
                    count++;
                }
            }
            double m = sum / count;
            double sq = 0;
            for (int i = 0; i < 100; i++) {
                for (int p = 0; p < 9; p++) {
                    double v = (DATA.images()[i * 18 + c * 9 + p] & 0xFF) / 255.0 - m;
                    sq += v * v;
                }
            }
            assertEquals(m, mean[c], 1e-6);
            assertEquals(Math.sqrt(sq / count), std[c], 1e-6);
        }
    }

    @Test
    void sha256ChangesWithOnePixelOrLabel() {
        byte[] images = DATA.images().clone();
        int[] labels = DATA.labels();
        ImageDataset same = new ImageDataset("other name", images.clone(), labels, 2, 3, 3, DATA.classNames());
        assertEquals(DATA.sha256(), same.sha256());
        assertEquals(64, DATA.sha256().length());
        images[500] ^= 1;
        assertNotEquals(DATA.sha256(), new ImageDataset("x", images, labels, 2, 3, 3, DATA.classNames()).sha256());
        labels[3] = (labels[3] + 1) % 4;
        assertNotEquals(DATA.sha256(), new ImageDataset("x", DATA.images(), labels, 2, 3, 3, DATA.classNames()).sha256());
    }

    @Test
    void headAndAccessors() {
        assertSame(DATA, DATA.head(100));
        ImageDataset h = DATA.head(3);
        assertEquals(3, h.size());
        assertArrayEquals(java.util.Arrays.copyOf(DATA.images(), 54), h.images());
        assertEquals(4, h.numClasses());
        assertSame(DATA.images(), DATA.images(), "the backing array, not a copy");
        assertEquals(2, DATA.label(2));
    }

    @Test
    void inconsistentArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset("x", new byte[5], new int[1], 1, 2, 2, List.of("a")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset("x", new byte[4], new int[] {2}, 1, 2, 2, List.of("a", "b")));
        assertTrue(e.getMessage().contains("label 2"), e.getMessage());
    }

    @Test
    void borderFramesEveryImageAndChannelInBlack() {
        int b = 2;
        ImageDataset framed = DATA.withBorder(b);
        assertSame(DATA, DATA.withBorder(0));
        assertEquals(List.of(100, 2, 7, 7), List.of(framed.size(), framed.channels(), framed.height(), framed.width()));
        assertArrayEquals(DATA.labels(), framed.labels());
        byte[] src = DATA.images();
        byte[] out = framed.images();
        for (int n = 0; n < 100; n++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 7; y++) {
                    for (int x = 0; x < 7; x++) {
                        boolean inside = y >= b && y < 3 + b && x >= b && x < 3 + b;
                        byte want = inside ? src[((n * 2 + c) * 3 + (y - b)) * 3 + (x - b)] : 0;
                        assertEquals(want, out[((n * 2 + c) * 7 + y) * 7 + x], "image " + n + " channel " + c + " at " + y + "," + x);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DATA.withBorder(-1));
    }
}
