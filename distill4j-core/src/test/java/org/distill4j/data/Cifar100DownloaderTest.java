package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar100DownloaderTest {
    @TempDir
    Path tmp;

    /** A cifar-100-binary.tar.gz look-alike: the folder, small train.bin and test.bin, and the label-name files. */
    private Path smallArchive() throws IOException {
        Path src = tmp.resolve("src");
        TestFiles.writeCifar(CifarFormat.CIFAR100, src, 4, 3);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-100-binary/coarse_label_names.txt", String.join("\n", Cifar100Names.COARSE).getBytes());
        entries.put("cifar-100-binary/fine_label_names.txt", String.join("\n", Cifar100Names.FINE).getBytes());
        entries.put("cifar-100-binary/train.bin", Files.readAllBytes(src.resolve("train.bin")));
        entries.put("cifar-100-binary/test.bin", Files.readAllBytes(src.resolve("test.bin")));
        Path archive = tmp.resolve("cifar-100-binary.tar.gz");
        Files.write(archive, TestFiles.gzip(TestFiles.tar(entries)));
        return archive;
    }

    @Test
    void theOfficialSourceIsTheAuthorsArchiveAndItsPublishedMd5() {
        assertEquals(URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"), CifarFormat.CIFAR100.url());
        assertEquals("03b5dce01913d631647c71ecec9e9cb8", CifarFormat.CIFAR100.md5());
        assertEquals("cifar-100-binary.tar.gz", CifarFormat.CIFAR100.archiveName());
        assertThrows(IllegalArgumentException.class, () -> CifarDownloader.official("cifar1000"));
    }

    @Test
    void downloadsChecksUnpacksIntoCifar100AndTheReaderReadsIt() throws IOException {
        Path archive = smallArchive();
        Path dataDir = tmp.resolve("data");
        Path target = new CifarDownloader(CifarFormat.CIFAR100, archive.toUri(), Checksums.md5(archive))
                .download(dataDir, ProgressListener.none());
        assertEquals(dataDir.resolve("cifar100"), target);
        assertTrue(Files.isRegularFile(target.resolve("cifar-100-binary/train.bin")));
        DataSplit split = Datasets.load("cifar100", dataDir);
        assertEquals(4, split.train().size());
        assertEquals(3, split.test().size());
        assertEquals(TestFiles.cifarLabel(CifarFormat.CIFAR100, 1, 1, 2), split.test().label(2));
        assertEquals(List.of("cifar100"), TestFiles.listNames(dataDir), "no temporary files left behind");
        assertTrue(Datasets.verify("cifar100", dataDir).contains("4 train / 3 test"));
    }

    @Test
    void wrongMd5NamesBothDigestsAndLeavesNothing() throws IOException {
        Path archive = smallArchive();
        String actual = Checksums.md5(archive);
        Path dataDir = tmp.resolve("data");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CifarDownloader(CifarFormat.CIFAR100, archive.toUri(), CifarFormat.CIFAR100.md5())
                        .download(dataDir, ProgressListener.none()));
        String m = e.getMessage();
        assertTrue(m.contains(CifarFormat.CIFAR100.md5()) && m.contains(actual), m);
        assertTrue(m.contains("distill4j data download cifar100"), m);
        assertEquals(List.of(), TestFiles.listNames(dataDir), "nothing half-unpacked or half-downloaded");
    }

    @Test
    void anArchiveWithoutTheFilesInstallsNothing() throws IOException {
        Path archive = tmp.resolve("wrong.tar.gz");
        Files.write(archive, TestFiles.gzip(TestFiles.tar(Map.of("cifar-100-binary/train.bin", new byte[3074]))));
        Path dataDir = tmp.resolve("data");
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CifarDownloader(CifarFormat.CIFAR100, archive.toUri(), Checksums.md5(archive))
                        .download(dataDir, ProgressListener.none()));
        assertTrue(e.getMessage().contains("test.bin") && e.getMessage().contains("Nothing was installed"), e.getMessage());
        assertEquals(List.of(), TestFiles.listNames(dataDir));
    }
}
