package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsPixelsAndLabelsExactlyInFileOrder() throws IOException {
        TestFiles.writeCifar(dir, 20, 10);
        DataSplit split = CifarReader.read(dir);
        ImageDataset train = split.train();
        assertEquals(100, train.size());
        assertEquals(10, split.test().size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        assertEquals(CifarFormat.CIFAR10.labels().get(0).standardNames(), train.classNames());
        for (int f = 0; f < 5; f++) {
            for (int r = 0; r < 20; r++) {
                int i = f * 20 + r;
                assertEquals(TestFiles.cifarLabel(f, r), train.label(i), "label of record " + i);
                for (int p : new int[] {0, 1, 1023, 1024, 2047, 3071}) {
                    assertEquals(TestFiles.cifarPixel(f, r, p), train.images()[i * 3072 + p], "pixel " + p + " of " + i);
                }
            }
        }
        byte[] expectedTest = new byte[3072];
        for (int p = 0; p < 3072; p++) {
            expectedTest[p] = TestFiles.cifarPixel(5, 9, p);
        }
        assertEquals(java.util.Arrays.toString(expectedTest),
                java.util.Arrays.toString(java.util.Arrays.copyOfRange(split.test().images(), 9 * 3072, 10 * 3072)));
    }

    @Test
    void acceptsTheArchiveSubfolderAndClassNamesFromMeta() throws IOException {
        Path nested = dir.resolve(CifarFormat.CIFAR10.subdir());
        TestFiles.writeCifar(nested, 2, 1);
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Files.write(nested.resolve("batches.meta.txt"), (String.join("\n", names) + "\n\n").getBytes());
        DataSplit split = CifarReader.read(dir);
        assertEquals(10, split.train().size());
        assertEquals(names, split.train().classNames());
    }

    @Test
    void truncatedFileIsNamedWithItsLength() throws IOException {
        TestFiles.writeCifar(dir, 3, 3);
        Path bad = dir.resolve("data_batch_3.bin");
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(dir));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("length " + (bytes.length - 100) + " is not a multiple of 3073"), e.getMessage());
        assertTrue(e.getMessage().contains("distill4j data download cifar10"), e.getMessage());
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        TestFiles.writeCifar(dir, 3, 3);
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(dir));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
    }

    @Test
    void labelAboveNineNamesFileAndRecord() throws IOException {
        TestFiles.writeCifar(dir, 4, 2);
        Path bad = dir.resolve("data_batch_2.bin");
        byte[] bytes = Files.readAllBytes(bad);
        bytes[2 * CifarFormat.CIFAR10.recordBytes()] = 10; // label byte of record 2
        Files.write(bad, bytes);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(dir));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("record 2"), e.getMessage());
        assertTrue(e.getMessage().contains("label byte 10"), e.getMessage());
    }

    @Test
    void missingFilesAreAllListedWithWhatToDo() throws IOException {
        TestFiles.writeCifar(dir, 2, 2);
        Files.delete(dir.resolve("data_batch_4.bin"));
        Files.delete(dir.resolve("test_batch.bin"));
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(dir));
        String m = e.getMessage();
        assertTrue(m.contains("data_batch_4.bin, test_batch.bin"), m);
        assertTrue(!m.contains("data_batch_1.bin"), m);
        assertTrue(m.contains("distill4j data download cifar10"), m);
        assertTrue(m.contains("cifar-10-batches-bin"), m);
    }

    @Test
    void emptyDirectoryListsAllSixFiles() {
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(dir.resolve("nothing")));
        for (String f : List.of("data_batch_1.bin", "data_batch_5.bin", "test_batch.bin")) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
    }
}
