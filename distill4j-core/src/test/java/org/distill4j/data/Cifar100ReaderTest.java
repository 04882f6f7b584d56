package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar100ReaderTest {
    private static final CifarFormat F = CifarFormat.CIFAR100;
    private static final int COARSE = 0; // label byte 0 of a record
    private static final int FINE = 1;   // label byte 1

    @TempDir
    Path dir;

    @Test
    void readsFineLabelsByDefaultCoarseOnRequestAndPixelsAfterBothLabelBytes() throws IOException {
        TestFiles.writeCifar(F, dir, 30, 7);
        DataSplit fine = CifarReader.read(F, dir, "fine");
        assertEquals(30, fine.train().size());
        assertEquals(7, fine.test().size());
        assertEquals("cifar100", fine.train().name());
        assertEquals(3, fine.train().channels());
        assertEquals(32, fine.train().height());
        DataSplit coarse = CifarReader.read(F, dir, "coarse");
        for (int r = 0; r < 30; r++) {
            assertEquals(TestFiles.cifarLabel(F, FINE, 0, r), fine.train().label(r), "fine label of " + r);
            assertEquals(TestFiles.cifarLabel(F, COARSE, 0, r), coarse.train().label(r), "coarse label of " + r);
        }
        assertEquals(TestFiles.cifarLabel(F, FINE, 1, 6), fine.test().label(6));
        // Fine and coarse labels differ in this pattern, so a reader taking the wrong byte fails above.
        assertFalse(Arrays.equals(fine.train().labels(), coarse.train().labels()));
        byte[] expected = new byte[3072];
        for (int p = 0; p < 3072; p++) {
            expected[p] = TestFiles.cifarPixel(0, 29, p);
        }
        assertArrayEquals(expected, Arrays.copyOfRange(fine.train().images(), 29 * 3072, 30 * 3072));
        assertArrayEquals(fine.train().images(), coarse.train().images());
    }

    @Test
    void builtInNamesAreTheStandardAlphabeticalLists() throws IOException {
        TestFiles.writeCifar(F, dir, 2, 1);
        List<String> fine = CifarReader.read(F, dir, "fine").train().classNames();
        List<String> coarse = CifarReader.read(F, dir, "coarse").train().classNames();
        assertEquals(100, fine.size());
        assertEquals(List.of("apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
                "bottle"), fine.subList(0, 10));
        assertEquals("cattle", fine.get(19));
        assertEquals("maple_tree", fine.get(47));
        assertEquals("worm", fine.get(99));
        assertEquals(fine.stream().sorted().toList(), fine);
        assertEquals(20, coarse.size());
        assertEquals(List.of("aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables"),
                coarse.subList(0, 5));
        assertEquals("medium_mammals", coarse.get(12));
        assertEquals("vehicles_2", coarse.get(19));
    }

    @Test
    void namesComeFromTheLabelFilesWhenSensibleInTheArchiveSubfolder() throws IOException {
        Path nested = dir.resolve("cifar-100-binary");
        TestFiles.writeCifar(F, nested, 2, 1);
        List<String> fine = IntStream.range(0, 100).mapToObj(i -> "f" + i).toList();
        List<String> coarse = IntStream.range(0, 20).mapToObj(i -> "c" + i).toList();
        Files.writeString(nested.resolve("fine_label_names.txt"), String.join("\n", fine) + "\n\n");
        Files.writeString(nested.resolve("coarse_label_names.txt"), String.join("\n", coarse) + "\n");
        assertEquals(fine, CifarReader.read(F, dir, "fine").train().classNames());
        assertEquals(coarse, CifarReader.read(F, dir, "coarse").train().classNames());

        // A names file with the wrong count, or duplicates, is ignored in favour of the standard names.
        Files.writeString(nested.resolve("fine_label_names.txt"), "a\nb\n");
        Files.writeString(nested.resolve("coarse_label_names.txt"), String.join("\n", coarse).replace("c19", "c0"));
        assertEquals(Cifar100Names.FINE, CifarReader.read(F, dir, "fine").train().classNames());
        assertEquals(Cifar100Names.COARSE, CifarReader.read(F, dir, "coarse").train().classNames());
    }

    @Test
    void highestLabelsAreAccepted() throws IOException {
        TestFiles.writeCifar(F, dir, 2, 1);
        Path train = dir.resolve("train.bin");
        byte[] bytes = Files.readAllBytes(train);
        bytes[F.recordBytes()] = 19;     // coarse label of record 1
        bytes[F.recordBytes() + 1] = 99; // fine label of record 1
        Files.write(train, bytes);
        assertEquals(99, CifarReader.read(F, dir, "fine").train().label(1));
        assertEquals(19, CifarReader.read(F, dir, "coarse").train().label(1));
    }

    @Test
    void truncatedFileIsNamedWithItsLengthAndTheRecordSize() throws IOException {
        TestFiles.writeCifar(F, dir, 3, 2);
        Path bad = dir.resolve("test.bin");
        Files.write(bad, Arrays.copyOf(Files.readAllBytes(bad), 3074 + 3073));
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(F, dir, "fine"));
        String m = e.getMessage();
        assertTrue(m.contains(bad.toString()), m);
        assertTrue(m.contains("length 6147 is not a multiple of 3074 bytes (2 labels + 3072 pixels)"), m);
        assertTrue(m.contains("distill4j data download cifar100"), m);
    }

    @Test
    void fineLabelOutOfRangeNamesFileRecordAndByte() throws IOException {
        TestFiles.writeCifar(F, dir, 5, 2);
        Path bad = dir.resolve("train.bin");
        byte[] bytes = Files.readAllBytes(bad);
        bytes[3 * F.recordBytes() + 1] = 100;
        Files.write(bad, bytes);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(F, dir, "fine"));
        String m = e.getMessage();
        assertTrue(m.contains(bad.toString()) && m.contains("record 3") && m.contains("fine label byte 100")
                && m.contains("0..99"), m);
    }

    @Test
    void coarseLabelIsCheckedEvenWhenFineLabelsAreRead() throws IOException {
        TestFiles.writeCifar(F, dir, 5, 2);
        Path bad = dir.resolve("test.bin");
        byte[] bytes = Files.readAllBytes(bad);
        bytes[F.recordBytes()] = 20;
        Files.write(bad, bytes);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(F, dir, "fine"));
        String m = e.getMessage();
        assertTrue(m.contains(bad.toString()) && m.contains("record 1") && m.contains("coarse label byte 20")
                && m.contains("0..19"), m);
    }

    @Test
    void missingFilesAreListedWithWhatToDo() throws IOException {
        TestFiles.writeCifar(F, dir.resolve("cifar-100-binary"), 2, 2);
        Files.delete(dir.resolve("cifar-100-binary/test.bin"));
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read(F, dir, "fine"));
        String m = e.getMessage();
        assertTrue(m.contains("CIFAR-100 files missing in " + dir.resolve("cifar-100-binary") + ": test.bin."), m);
        assertTrue(m.contains("distill4j data download cifar100") && m.contains("cifar-100-binary.tar.gz"), m);

        DatasetException empty = assertThrows(DatasetException.class,
                () -> CifarReader.read(F, dir.resolve("nothing"), "fine"));
        assertTrue(empty.getMessage().contains("train.bin, test.bin"), empty.getMessage());
    }

    @Test
    void cifar10HasNoCoarseLabels() throws IOException {
        TestFiles.writeCifar(dir, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CifarReader.read(CifarFormat.CIFAR10, dir, "coarse"));
        assertTrue(e.getMessage().contains("cifar10 has no 'coarse' labels"), e.getMessage());
    }

    @Test
    void verifyCountsAndWarnsWhenNotTheFullSet() throws IOException {
        TestFiles.writeCifar(F, dir, 6, 3);
        String summary = CifarReader.verify(F, dir, "fine");
        assertTrue(summary.startsWith("cifar100 in " + dir + ": 6 train / 3 test images, 3x32x32, 100 classes (fine"
                + " labels) (WARNING: the full set has 50000 / 10000)"), summary);
        assertTrue(summary.contains("train SHA-256 " + CifarReader.read(F, dir, "fine").train().sha256()), summary);
    }
}
