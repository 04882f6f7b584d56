package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarDownloaderTest {
    @TempDir
    Path tmp;

    /** A cifar-10-binary.tar.gz look-alike: the folder, six small batches and the meta file. */
    private Path smallArchive() throws IOException {
        Path batches = tmp.resolve("src");
        TestFiles.writeCifar(batches, 3, 2);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/batches.meta.txt",
                String.join("\n", CifarFormat.CIFAR10.labels().get(0).standardNames()).getBytes());
        try (Stream<Path> files = Files.list(batches)) {
            for (Path f : files.sorted().toList()) {
                entries.put("cifar-10-batches-bin/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        Files.write(archive, TestFiles.gzip(TestFiles.tar(entries)));
        return archive;
    }

    @Test
    void downloadsChecksUnpacksAndTheReaderReadsIt() throws IOException {
        Path archive = smallArchive();
        Path dataDir = tmp.resolve("data");
        List<long[]> updates = new ArrayList<>();
        Path target = new CifarDownloader(archive.toUri(), Checksums.md5(archive))
                .download(dataDir, (done, total) -> updates.add(new long[] {done, total}));
        assertEquals(dataDir.resolve("cifar10"), target);
        DataSplit split = CifarReader.read(target);
        assertEquals(15, split.train().size());
        assertEquals(2, split.test().size());
        assertEquals(TestFiles.cifarLabel(5, 1), split.test().label(1));
        assertEquals(TestFiles.cifarPixel(2, 1, 77), split.train().images()[(2 * 3 + 1) * 3072 + 77]);
        long[] last = updates.get(updates.size() - 1);
        assertEquals(Files.size(archive), last[0], "progress reaches the archive size");
        assertEquals(List.of("cifar10"), TestFiles.listNames(dataDir), "no temporary files left behind");
        assertTrue(Datasets.verify("cifar10", dataDir).contains("15 train / 2 test"));
    }

    @Test
    void wrongMd5NamesBothDigestsAndLeavesNothing() throws IOException {
        Path archive = smallArchive();
        String actual = Checksums.md5(archive);
        String expected = "0123456789abcdef0123456789abcdef";
        Path dataDir = tmp.resolve("data");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CifarDownloader(archive.toUri(), expected).download(dataDir, ProgressListener.none()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(actual), e.getMessage());
        assertEquals(List.of(), TestFiles.listNames(dataDir), "nothing half-unpacked or half-downloaded");
    }

    @Test
    void unreachableUrlSaysWhereToPutTheFilesByHand() {
        Path dataDir = tmp.resolve("data");
        URI missing = tmp.resolve("no-such-archive.tar.gz").toUri();
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CifarDownloader(missing, CifarDownloader.DEFAULT_MD5).download(dataDir, ProgressListener.none()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(dataDir.resolve("cifar10").toString()), e.getMessage());
        assertFalse(Files.exists(dataDir.resolve("cifar10")));
    }

    @Test
    void replacesABrokenPreviousCopy() throws IOException {
        Path archive = smallArchive();
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir.resolve("cifar10"));
        Files.write(dataDir.resolve("cifar10/data_batch_1.bin"), new byte[5]);
        new CifarDownloader(archive.toUri(), Checksums.md5(archive)).download(dataDir, ProgressListener.none());
        assertEquals(15, CifarReader.read(dataDir.resolve("cifar10")).train().size());
        assertEquals(List.of("cifar10"), TestFiles.listNames(dataDir));
    }

    @Test
    void tarEntriesEscapingTheTargetAreRefused() throws IOException {
        byte[] tar = TestFiles.tar(Map.of("../evil.txt", "x".getBytes()));
        Path target = tmp.resolve("out");
        DatasetException e = assertThrows(DatasetException.class,
                () -> TarReader.extract(new ByteArrayInputStream(tar), target, "evil.tar"));
        assertTrue(e.getMessage().contains("../evil.txt"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
    }

    @Test
    void absoluteNamesAndArchivesLargerThanTheBoundAreRefused() throws IOException {
        byte[] absolute = TestFiles.tar(Map.of("/tmp/evil.txt", "x".getBytes()));
        assertThrows(DatasetException.class,
                () -> TarReader.extract(new ByteArrayInputStream(absolute), tmp.resolve("abs"), "abs.tar"));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a.bin", new byte[600]);
        entries.put("b.bin", new byte[600]);
        byte[] tar = TestFiles.tar(entries);
        Path out = tmp.resolve("big");
        DatasetException e = assertThrows(DatasetException.class,
                () -> TarReader.extract(new ByteArrayInputStream(tar), out, "big.tar", 1000));
        assertTrue(e.getMessage().contains("more than 1000 bytes"), e.getMessage());
        assertFalse(Files.exists(out.resolve("b.bin")), "refused at the header, before writing the entry");
        assertEquals(2, TarReader.extract(new ByteArrayInputStream(tar), tmp.resolve("fits"), "big.tar", 1200));
    }

    @Test
    void tarReaderSkipsDirectoriesAndChecksHeaders() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a/b.txt", "hello".getBytes());
        byte[] tar = TestFiles.tar(entries);
        byte[] withDir = new byte[512 + tar.length];
        System.arraycopy(TestFiles.tarHeader("a/", 0, '5'), 0, withDir, 0, 512);
        System.arraycopy(tar, 0, withDir, 512, tar.length);
        Path out = tmp.resolve("out");
        assertEquals(1, TarReader.extract(new ByteArrayInputStream(withDir), out, "t.tar"));
        assertEquals("hello", Files.readString(out.resolve("a/b.txt")));

        withDir[512 + 10] ^= 1; // corrupt the file entry's name: checksum no longer matches
        assertThrows(DatasetException.class,
                () -> TarReader.extract(new ByteArrayInputStream(withDir), tmp.resolve("out2"), "t.tar"));
    }
}
