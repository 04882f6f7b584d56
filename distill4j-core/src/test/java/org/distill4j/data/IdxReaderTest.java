package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static byte[] pixels(int n) {
        byte[] b = new byte[n * 28 * 28];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 13 + 5);
        }
        return b;
    }

    @Test
    void readsImagesAndLabelsWithDims() throws IOException {
        Path images = dir.resolve("img.gz");
        Path labels = dir.resolve("lab.gz");
        TestFiles.writeIdx(images, 0x803, new int[] {3, 28, 28}, pixels(3));
        TestFiles.writeIdx(labels, 0x801, new int[] {3}, new byte[] {9, 0, (byte) 200});
        int[] dims = new int[3];
        assertArrayEquals(pixels(3), IdxReader.readImages(images, dims));
        assertArrayEquals(new int[] {3, 28, 28}, dims);
        assertArrayEquals(new int[] {9, 0, 200}, IdxReader.readLabels(labels));
    }

    @Test
    void wrongMagicNamesFileAndBothNumbers() throws IOException {
        Path labels = dir.resolve("lab.gz");
        TestFiles.writeIdx(labels, 0x801, new int[] {3}, new byte[3]);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(labels, null));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801") && e.getMessage().contains("0x00000803"), e.getMessage());
    }

    @Test
    void truncatedDataIsAnError() throws IOException {
        Path images = dir.resolve("img.gz");
        TestFiles.writeIdx(images, 0x803, new int[] {3, 28, 28}, Arrays.copyOf(pixels(3), 2 * 784 + 10));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(images, null));
        assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedGzipIsAnError() throws IOException {
        byte[] gz = TestFiles.gzip(TestFiles.idxBytes(0x803, new int[] {20, 28, 28}, pixels(20)));
        Path images = dir.resolve("img.gz");
        Files.write(images, Arrays.copyOf(gz, gz.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(images, null));
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
    }

    @Test
    void notGzipAndMissingFileAreErrors() throws IOException {
        Path raw = dir.resolve("raw.gz");
        Files.write(raw, TestFiles.idxBytes(0x801, new int[] {2}, new byte[2]));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(raw));
        assertTrue(e.getMessage().contains(raw.toString()) && e.getMessage().contains("gzip"), e.getMessage());
        Path absent = dir.resolve("absent.gz");
        e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

    @Test
    void fashionReaderPrefersDataDirAndChecksCounts() throws IOException {
        Path fm = dir.resolve("fashion-mnist");
        TestFiles.writeIdx(fm.resolve(FashionMnistReader.TRAIN_IMAGES), 0x803, new int[] {4, 28, 28}, pixels(4));
        TestFiles.writeIdx(fm.resolve(FashionMnistReader.TRAIN_LABELS), 0x801, new int[] {4}, new byte[] {0, 1, 2, 9});
        TestFiles.writeIdx(fm.resolve(FashionMnistReader.TEST_IMAGES), 0x803, new int[] {2, 28, 28}, pixels(2));
        TestFiles.writeIdx(fm.resolve(FashionMnistReader.TEST_LABELS), 0x801, new int[] {2}, new byte[] {3, 4});
        DataSplit split = FashionMnistReader.read(dir);
        assertEquals(4, split.train().size());
        assertEquals(1, split.train().channels());
        assertEquals(9, split.train().label(3));
        assertEquals("Ankle boot", split.train().classNames().get(9));
        assertArrayEquals(pixels(2), split.test().images());

        TestFiles.writeIdx(fm.resolve(FashionMnistReader.TEST_LABELS), 0x801, new int[] {3}, new byte[] {3, 4, 5});
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnistReader.read(dir));
        assertTrue(e.getMessage().contains("2 images but") && e.getMessage().contains("3 labels"), e.getMessage());
        // small files are well formed but are not the official ones: verify must say so
        e = assertThrows(DatasetException.class, () -> Datasets.verify("fashion-mnist", dir));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
    }

    @Test
    void missingFashionFilesListEveryPlaceLooked() {
        Path other = dir.resolve("other");
        DatasetException e = assertThrows(DatasetException.class,
                () -> FashionMnistReader.locate(java.util.List.of(dir.resolve("fashion-mnist"), other)));
        assertTrue(e.getMessage().contains(FashionMnistReader.TRAIN_IMAGES), e.getMessage());
        assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("distill4j data download fashion-mnist"), e.getMessage());
    }

    @Test
    void downloaderFetchesFromABaseUrlAndChecksEachFile() throws IOException {
        Path source = dir.resolve("mirror");
        java.util.Map<String, String> md5 = new java.util.HashMap<>();
        for (String f : FashionMnistReader.FILES) {
            boolean images = f.contains("images");
            TestFiles.writeIdx(source.resolve(f), images ? 0x803 : 0x801,
                    images ? new int[] {1, 28, 28} : new int[] {1}, images ? pixels(1) : new byte[] {7});
            md5.put(f, Checksums.md5(source.resolve(f)));
        }
        Path dataDir = dir.resolve("data");
        new FashionMnistDownloader(source.toUri(), md5).download(dataDir, ProgressListener.none());
        assertEquals(7, FashionMnistReader.read(dataDir).test().label(0));

        md5.put(FashionMnistReader.TRAIN_LABELS, "ffffffffffffffffffffffffffffffff");
        Path other = dir.resolve("data2");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new FashionMnistDownloader(source.toUri(), md5).download(other, ProgressListener.none()));
        assertTrue(e.getMessage().contains("ffffffffffffffffffffffffffffffff"), e.getMessage());
        assertTrue(Files.notExists(other.resolve("fashion-mnist").resolve(FashionMnistReader.TRAIN_LABELS)));
        assertTrue(Files.notExists(other.resolve("fashion-mnist").resolve(FashionMnistReader.TRAIN_LABELS + ".part")));
    }
}
