package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    // Identity normalisation (mean 0, std 1/255) so output values are the raw pixel levels 0..255.
    private static final float[][] RAW = BatchAssembler.lookupTable(new float[] {0, 0}, new float[] {1 / 255f, 1 / 255f});

    /** 2 channels of 3x4: value = 100*c + 10*y + x + 1, so no pixel is 0 and each says where it came from. */
    private static byte[] image() {
        byte[] img = new byte[2 * 3 * 4];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    img[(c * 3 + y) * 4 + x] = (byte) (100 * c + 10 * y + x + 1);
                }
            }
        }
        return img;
    }

    private static float[] apply(int pad, int dy, int dx, boolean flip) {
        float[] out = new float[24];
        BatchAssembler.augmentInto(image(), 0, 2, 3, 4, pad, dy, dx, flip, RAW, out, 0);
        return out;
    }

    @Test
    void centreCropWithoutFlipIsTheImage() {
        float[] out = apply(2, 2, 2, false);
        for (int i = 0; i < 24; i++) {
            assertEquals(image()[i] & 0xFF, out[i], 1e-3, "pixel " + i);
        }
    }

    @Test
    void cropOffsetShiftsPixelsAndFillsZeros() {
        // pad 2, dy=0, dx=3: out(y,x) = src(y-2, x+1): top two rows are padding, the rest shift left by one.
        float[] out = apply(2, 0, 3, false);
        float[] expectedChannel1 = {
            0, 0, 0, 0,
            0, 0, 0, 0,
            102, 103, 104, 0};
        assertArrayEquals(expectedChannel1, Arrays.copyOfRange(out, 12, 24), 1e-3f);
        assertArrayEquals(new float[] {2, 3, 4, 0}, Arrays.copyOfRange(out, 8, 12), 1e-3f);
    }

    @Test
    void flipMirrorsEachRowAfterTheCrop() {
        float[] plain = apply(1, 1, 1, false);
        float[] flipped = apply(1, 1, 1, true);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(plain[(c * 3 + y) * 4 + x], flipped[(c * 3 + y) * 4 + (3 - x)], 0f);
                }
            }
        }
        // crop then flip, as torchvision does: shifted right by one, then mirrored
        assertArrayEquals(new float[] {3, 2, 1, 0}, Arrays.copyOfRange(apply(1, 1, 0, true), 0, 4), 1e-3f);
    }

    @Test
    void paddingIsZeroBeforeNormalisation() {
        float[][] lut = BatchAssembler.lookupTable(new float[] {0.5f, 0.25f}, new float[] {0.2f, 0.5f});
        float[] out = new float[24];
        BatchAssembler.augmentInto(image(), 0, 2, 3, 4, 4, 0, 0, false, lut, out, 0); // shifted fully out of view
        assertEquals(-2.5f, out[0], 1e-6f);  // (0 - 0.5) / 0.2
        assertEquals(-0.5f, out[23], 1e-6f); // (0 - 0.25) / 0.5
    }

    private static ImageDataset asymmetric() {
        return TestFiles.dataset(16, 3, 8, 8, 4, (n, c, y, x) -> 1 + n * 3 + c * 50 + y * 7 + x * 11);
    }

    private static List<HostBatch> epoch(ImageDataset ds, Augmentation aug, long seed, int epoch) {
        List<HostBatch> out = new ArrayList<>();
        try (BatchLoader loader = BatchLoader.builder().setDataset(ds).setBatchSize(5).optAugmentation(aug)
                .optShuffle(true).optSeed(seed).optEpoch(epoch).build()) {
            loader.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void loaderFlipsAreMirrorImagesOfTheUnflippedBatch() {
        ImageDataset ds = asymmetric();
        List<HostBatch> plain = epoch(ds, Augmentation.none(), 3, 0);
        List<HostBatch> flipped = epoch(ds, new Augmentation(0, true), 3, 0);
        int mirrored = 0;
        int same = 0;
        for (int b = 0; b < plain.size(); b++) {
            assertArrayEquals(plain.get(b).indices(), flipped.get(b).indices(), "augmentation must not change order");
            float[] p = plain.get(b).data();
            float[] f = flipped.get(b).data();
            for (int i = 0; i < plain.get(b).batchSize(); i++) {
                int base = i * 3 * 64;
                boolean isSame = Arrays.equals(p, base, base + 192, f, base, base + 192);
                boolean isMirror = true;
                for (int row = 0; row < 24 && isMirror; row++) {
                    for (int x = 0; x < 8; x++) {
                        isMirror &= p[base + row * 8 + x] == f[base + row * 8 + 7 - x];
                    }
                }
                assertTrue(isSame ^ isMirror, "each image is either untouched or mirrored");
                mirrored += isMirror ? 1 : 0;
                same += isSame ? 1 : 0;
            }
        }
        assertTrue(mirrored >= 2 && same >= 2, "flip probability 0.5: mirrored " + mirrored + ", same " + same);
    }

    @Test
    void sameSeedAndEpochGiveSameBatchesOtherEpochsDiffer() {
        ImageDataset ds = asymmetric();
        Augmentation aug = new Augmentation(2, true);
        List<HostBatch> a = epoch(ds, aug, 42, 3);
        List<HostBatch> b = epoch(ds, aug, 42, 3);
        List<HostBatch> c = epoch(ds, aug, 42, 4);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).indices(), b.get(i).indices());
            assertArrayEquals(a.get(i).data(), b.get(i).data());
        }
        assertFalse(Arrays.equals(order(a), order(c)), "a different epoch shuffles differently");
        assertFalse(Arrays.equals(order(a), order(epoch(ds, aug, 43, 3))), "a different seed shuffles differently");
        // the data really is augmented: not equal to the un-augmented epoch with the same order
        List<HostBatch> none = epoch(ds, Augmentation.none(), 42, 3);
        assertArrayEquals(order(a), order(none));
        assertFalse(Arrays.equals(a.get(0).data(), none.get(0).data()));
    }

    private static int[] order(List<HostBatch> batches) {
        return batches.stream().flatMapToInt(h -> Arrays.stream(h.indices())).toArray();
    }

    @Test
    void fullUnaugmentedEpochIsNormalisedToZeroMeanUnitStd() {
        ImageDataset ds = SyntheticDataset.generate(200, 10, 3, 16, 5);
        double[] sum = new double[3];
        double[] sumSq = new double[3];
        long perChannel = 0;
        try (BatchLoader loader = BatchLoader.builder().setDataset(ds).setBatchSize(64).optShuffle(true).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                for (int i = 0; i < batch.data().length; i++) {
                    int c = (i / 256) % 3;
                    sum[c] += batch.data()[i];
                    sumSq[c] += (double) batch.data()[i] * batch.data()[i];
                }
                perChannel += batch.batchSize() * 256L;
            }
        }
        assertEquals(200 * 256L, perChannel);
        for (int c = 0; c < 3; c++) {
            double mean = sum[c] / perChannel;
            double std = Math.sqrt(sumSq[c] / perChannel - mean * mean);
            assertEquals(0, mean, 1e-3, "channel " + c + " mean");
            assertEquals(1, std, 1e-3, "channel " + c + " std");
        }
    }

    @Test
    void negativePadIsRejected() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Augmentation(-1, false));
        assertTrue(Augmentation.none().isIdentity());
        assertFalse(new Augmentation(0, true).isIdentity());
    }
}
