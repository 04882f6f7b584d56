package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder cache: used when nothing changed, rebuilt when anything did, never trusted when damaged. */
class FolderCacheTest {
    private static final DataOptions OPTIONS = DataOptions.defaults();

    @TempDir
    Path tmp;
    private Path root;
    private Path cacheDir;

    @BeforeEach
    void writeFolder() throws IOException {
        root = tmp.resolve("shapes");
        cacheDir = tmp.resolve("cache");
        for (int i = 0; i < 4; i++) {
            TestFiles.writeImage(root.resolve("train/circle/" + i + ".png"), TestFiles.solid(20, 20, 0x100000 * (i + 1)));
            TestFiles.writeImage(root.resolve("train/square/" + i + ".png"), TestFiles.solid(20, 20, 0x001000 * (i + 1)));
        }
    }

    private DataSplit load(DataOptions options) {
        return ImageFolder.load(root, options, cacheDir, ProgressListener.none());
    }

    /** Replaces a file's bytes with garbage of the same length and gives it back its old mtime. */
    private static void corruptKeepingSizeAndTime(Path file) throws IOException {
        FileTime time = Files.getLastModifiedTime(file);
        byte[] junk = new byte[(int) Files.size(file)];
        Arrays.fill(junk, (byte) 'x');
        Files.write(file, junk);
        Files.setLastModifiedTime(file, time);
    }

    @Test
    void anUnchangedFolderIsReadFromTheCacheWithoutDecoding() throws IOException {
        DataSplit first = load(OPTIONS);
        assertEquals(1, TestFiles.listNames(cacheDir).size());
        assertTrue(TestFiles.listNames(cacheDir).get(0).matches("shapes-[0-9a-f]{24}\\.bin"), TestFiles.listNames(cacheDir).toString());
        // Unreadable now, but with the size and mtime the cache key saw: only a cache hit can still load it.
        corruptKeepingSizeAndTime(root.resolve("train/circle/0.png"));
        DataSplit second = load(OPTIONS);
        assertEquals(first.train().sha256(), second.train().sha256());
        assertEquals(first.test().sha256(), second.test().sha256());
        assertEquals(first.train().classNames(), second.train().classNames());
        assertEquals(first.skipped(), second.skipped());
        // The cache is keyed by the options too: another image size decodes again, and meets the corrupt file.
        assertThrows(DatasetException.class, () -> load(new DataOptions(16, "fine", false, 0.1)));
    }

    @Test
    void aChangedImageInvalidatesTheEntryAndReplacesIt() throws IOException {
        DataSplit first = load(OPTIONS);
        Path changed = root.resolve("train/square/3.png");
        TestFiles.writeImage(changed, TestFiles.solid(20, 20, 0xFFFFFF));
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
        DataSplit second = load(OPTIONS);
        assertNotEquals(first.train().sha256() + first.test().sha256(), second.train().sha256() + second.test().sha256());
        boolean seen = false;
        for (ImageDataset side : List.of(second.train(), second.test())) {
            for (int i = 0; i < side.size(); i++) {
                seen |= (side.images()[i * 3 * 32 * 32] & 0xFF) == 0xFF;
            }
        }
        assertTrue(seen, "the new white image is in the data");
        assertEquals(1, TestFiles.listNames(cacheDir).size(), "the stale entry was replaced, not kept beside");
    }

    @Test
    void anAddedOrRemovedImageInvalidatesTheEntry() throws IOException {
        int before = load(OPTIONS).train().size() + load(OPTIONS).test().size();
        TestFiles.writeImage(root.resolve("train/circle/9.png"), TestFiles.solid(20, 20, 0x777777));
        assertEquals(before + 1, load(OPTIONS).train().size() + load(OPTIONS).test().size());
        Files.delete(root.resolve("train/circle/9.png"));
        Files.delete(root.resolve("train/circle/1.png"));
        assertEquals(before - 1, load(OPTIONS).train().size() + load(OPTIONS).test().size());
    }

    @Test
    void aDamagedEntryIsRebuiltNotTrusted() throws IOException {
        DataSplit first = load(OPTIONS);
        Path entry = cacheDir.resolve(TestFiles.listNames(cacheDir).get(0));
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length - 100] ^= 0x55; // a pixel byte: only the CRC notices
        Files.write(entry, bytes);
        DataSplit second = load(OPTIONS);
        assertEquals(first.train().sha256(), second.train().sha256());
        assertEquals(first.test().sha256(), second.test().sha256());
        assertFalse(Arrays.equals(Files.readAllBytes(entry), bytes), "the damaged entry was rewritten");
    }

    @Test
    void anUnwritableCacheDirectoryOnlyCostsSpeed() throws IOException {
        cacheDir = tmp.resolve("not-a-dir");
        Files.writeString(cacheDir, "a file where the cache directory should be");
        DataSplit split = load(OPTIONS);
        assertEquals(8, split.train().size() + split.test().size());
    }
}
