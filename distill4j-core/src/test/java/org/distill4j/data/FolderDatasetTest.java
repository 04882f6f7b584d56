package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFolder} end to end: layout, labels, channels, sizes, unreadable images and layout errors. */
class FolderDatasetTest {
    private static final DataOptions DEFAULTS = DataOptions.defaults();

    @TempDir
    Path tmp;

    private DataSplit load(Path root, DataOptions options) {
        return ImageFolder.load(root, options, tmp.resolve("cache"), ProgressListener.none());
    }

    /** Red level of image i (channel 0, first pixel) of a colour data set. */
    private static int red(ImageDataset data, int i) {
        return data.images()[i * data.channels() * data.height() * data.width()] & 0xFF;
    }

    @Test
    void readsTrainAndValClassesInSortedOrderIgnoringOtherFiles() throws IOException {
        Path root = tmp.resolve("pets");
        // Distinct red levels mark each image; sizes and formats differ on purpose.
        TestFiles.writeImage(root.resolve("train/dog/b.png"), TestFiles.solid(40, 20, 0x500000));
        TestFiles.writeImage(root.resolve("train/dog/a.png"), TestFiles.solid(10, 10, 0x400000));
        TestFiles.writeImage(root.resolve("train/cat/z.JPG"), TestFiles.solid(50, 50, 0x300000));
        TestFiles.writeImage(root.resolve("train/cat/y.jpeg"), TestFiles.solid(33, 17, 0x200000));
        TestFiles.writeImage(root.resolve("train/cat/sub/x.png"), TestFiles.solid(8, 8, 0x100000));
        TestFiles.writeImage(root.resolve("val/dog/v.png"), TestFiles.solid(12, 12, 0x600000));
        // None of these counts: hidden files and folders, other extensions, a stray file in train/.
        TestFiles.writeImage(root.resolve("train/cat/.hidden.png"), TestFiles.solid(8, 8, 0xFF0000));
        TestFiles.writeImage(root.resolve("train/.thumbs/t.png"), TestFiles.solid(8, 8, 0xFF0000));
        TestFiles.writeImage(root.resolve("train/cat/.cache/t.png"), TestFiles.solid(8, 8, 0xFF0000));
        Files.writeString(root.resolve("train/cat/.DS_Store"), "x");
        Files.writeString(root.resolve("train/cat/README"), "x");
        Files.writeString(root.resolve("train/dog/notes.txt"), "x");
        Files.writeString(root.resolve("train/labels.csv"), "x");

        DataSplit split = load(root, DEFAULTS);
        ImageDataset train = split.train();
        assertEquals(List.of("cat", "dog"), train.classNames());
        assertEquals("folder", train.name());
        assertEquals(5, train.size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        // Sorted by relative path within each class: cat/sub/x, cat/y, cat/z, then dog/a, dog/b.
        int[] expectedRed = {0x10, 0x20, 0x30, 0x40, 0x50};
        int[] expectedLabel = {0, 0, 0, 1, 1};
        for (int i = 0; i < 5; i++) {
            assertEquals(expectedLabel[i], train.label(i), "label of " + i);
            assertTrue(Math.abs(red(train, i) - expectedRed[i]) <= 3, "image " + i + " red " + red(train, i));
        }
        assertEquals(1, split.test().size());
        assertEquals(1, split.test().label(0)); // val's dog is train's class 1
        assertEquals(0x60, red(split.test(), 0));
        assertEquals(List.of(), split.skipped());
    }

    @Test
    void imageSizeOptionSetsTheSide() throws IOException {
        Path root = tmp.resolve("f");
        for (int i = 0; i < 2; i++) {
            TestFiles.writeImage(root.resolve("train/a/" + i + ".png"), TestFiles.solid(30, 30, 0x123456));
        }
        DataSplit split = load(root, new DataOptions(12, "fine", false, 0.5));
        assertEquals(12, split.train().height());
        assertEquals(12, split.test().width());
        assertEquals(3 * 12 * 12, split.train().images().length);
    }

    @Test
    void oneChannelOnlyWhenEveryImageIsGray() throws IOException {
        Path gray = tmp.resolve("gray");
        TestFiles.writeImage(gray.resolve("train/a/1.png"), TestFiles.gray(16, 16, (x, y) -> 100));
        TestFiles.writeImage(gray.resolve("train/a/2.jpg"), TestFiles.gray(16, 16, (x, y) -> 100));
        TestFiles.writeImage(gray.resolve("train/b/1.png"), TestFiles.gray(16, 16, (x, y) -> 7));
        TestFiles.writeImage(gray.resolve("val/b/2.png"), TestFiles.gray(16, 16, (x, y) -> 7));
        DataSplit g = load(gray, DEFAULTS);
        assertEquals(1, g.train().channels());
        assertEquals(1, g.test().channels());
        assertEquals(100, g.train().images()[0] & 0xFF);

        Path mixed = tmp.resolve("mixed");
        TestFiles.writeImage(mixed.resolve("train/a/1.png"), TestFiles.gray(16, 16, (x, y) -> 100));
        TestFiles.writeImage(mixed.resolve("train/b/1.png"), TestFiles.solid(16, 16, 0x0A141E));
        TestFiles.writeImage(mixed.resolve("val/b/1.png"), TestFiles.solid(16, 16, 0x0A141E));
        DataSplit m = load(mixed, DEFAULTS);
        assertEquals(3, m.train().channels());
        byte[] px = m.train().images();
        int plane = 32 * 32;
        // The gray image is copied to all three planes; the colour one keeps its channels.
        assertEquals(List.of(100, 100, 100), List.of(px[0] & 0xFF, px[plane] & 0xFF, px[2 * plane] & 0xFF));
        assertEquals(List.of(10, 20, 30), List.of(px[3 * plane] & 0xFF, px[4 * plane] & 0xFF, px[5 * plane] & 0xFF));
    }

    @Test
    void corruptImageIsAnErrorNamingTheFileAndTheWayOut() throws IOException {
        Path root = tmp.resolve("broken");
        for (int i = 0; i < 3; i++) {
            TestFiles.writeImage(root.resolve("train/cat/" + i + ".png"), TestFiles.solid(8, 8, 0x010203));
            TestFiles.writeImage(root.resolve("train/dog/" + i + ".png"), TestFiles.solid(8, 8, 0x040506));
        }
        Path cut = root.resolve("train/cat/x.jpg");
        Files.write(cut, TestFiles.truncatedJpeg());
        Files.writeString(root.resolve("train/dog/y.png"), "<html>not found</html>");
        DatasetException e = assertThrows(DatasetException.class, () -> load(root, DEFAULTS));
        String m = e.getMessage();
        assertTrue(m.startsWith(cut + ": not a readable PNG or JPEG (truncated"), m);
        assertTrue(m.contains("and 1 more unreadable") && m.contains("--skip-unreadable"), m);
    }

    @Test
    void skipUnreadableLeavesThemOutAndListsThem() throws IOException {
        Path root = tmp.resolve("broken");
        for (int i = 0; i < 3; i++) {
            TestFiles.writeImage(root.resolve("train/cat/" + i + ".png"), TestFiles.solid(8, 8, 0x010203));
            TestFiles.writeImage(root.resolve("train/dog/" + i + ".png"), TestFiles.solid(8, 8, 0x040506));
        }
        Files.write(root.resolve("train/cat/x.jpg"), TestFiles.truncatedJpeg());
        Files.writeString(root.resolve("train/dog/y.png"), "<html>not found</html>");
        DataSplit split = load(root, new DataOptions(32, "fine", true, 0.1));
        assertEquals(List.of("train/cat/x.jpg", "train/dog/y.png"), split.skipped());
        assertEquals(6, split.train().size() + split.test().size());
        String summary = ImageFolder.summary(root, split, DEFAULTS);
        assertTrue(summary.contains("2 skipped as unreadable (train/cat/x.jpg, train/dog/y.png)"), summary);
    }

    @Test
    void aClassWhoseImagesAreAllUnreadableIsAnError() throws IOException {
        Path root = tmp.resolve("f");
        TestFiles.writeImage(root.resolve("train/a/1.png"), TestFiles.solid(8, 8, 1));
        TestFiles.writeImage(root.resolve("val/a/1.png"), TestFiles.solid(8, 8, 1));
        Files.createDirectories(root.resolve("train/b"));
        Files.writeString(root.resolve("train/b/1.png"), "junk");
        DatasetException e = assertThrows(DatasetException.class, () -> load(root, new DataOptions(32, "fine", true, 0.1)));
        assertTrue(e.getMessage().contains(root.resolve("train/b") + ": none of its images could be read"), e.getMessage());
    }

    @Test
    void layoutMistakesGetClearErrors() throws IOException {
        Path root = tmp.resolve("f");
        assertError(root, root + ": no such folder");
        Files.createDirectories(root.resolve("training/a"));
        assertError(root, root + ": no train/ folder. Put images in " + root + "/train/CLASS/");
        Files.createDirectories(root.resolve("train/.git"));
        assertError(root, root.resolve("train") + ": no class folders");
        Files.createDirectories(root.resolve("train/cat"));
        Files.writeString(root.resolve("train/cat/README.md"), "x");
        assertError(root, root.resolve("train/cat") + ": no .png, .jpg or .jpeg images in it");
        TestFiles.writeImage(root.resolve("train/cat/1.png"), TestFiles.solid(8, 8, 1));
        assertError(root, "no images left to validate on"); // one image, nothing to hold out
        TestFiles.writeImage(root.resolve("val/Cat/1.png"), TestFiles.solid(8, 8, 1));
        TestFiles.writeImage(root.resolve("val/cow/1.png"), TestFiles.solid(8, 8, 1));
        assertError(root, root.resolve("val") + ": classes Cat, cow have no folder in " + root.resolve("train"));
        Files.delete(root.resolve("val/Cat/1.png"));
        Files.delete(root.resolve("val/Cat"));
        Files.delete(root.resolve("val/cow/1.png"));
        Files.delete(root.resolve("val/cow"));
        assertError(root, root.resolve("val") + ": no class folders in it");
        Files.createDirectories(root.resolve("val/cat"));
        assertError(root, root.resolve("val/cat") + ": no .png, .jpg or .jpeg images in it");
    }

    private void assertError(Path root, String expected) {
        DatasetException e = assertThrows(DatasetException.class, () -> load(root, DEFAULTS));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void progressCountsDecodedImages() throws IOException {
        Path root = tmp.resolve("f");
        for (int i = 0; i < 4; i++) {
            TestFiles.writeImage(root.resolve("train/a/" + i + ".png"), TestFiles.solid(8, 8, i));
        }
        List<long[]> updates = new ArrayList<>();
        ImageFolder.load(root, DEFAULTS, tmp.resolve("cache"), (done, total) -> updates.add(new long[] {done, total}));
        assertEquals(5, updates.size());
        assertEquals(4, updates.get(4)[0]);
        assertEquals(4, updates.get(4)[1]);
    }
}
