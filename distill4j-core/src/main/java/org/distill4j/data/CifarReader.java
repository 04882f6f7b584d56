package org.distill4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CIFAR-10 binary version (Krizhevsky 2009): each record is 1 label byte then 3072 pixel bytes, the
 * 32x32 red plane, then green, then blue, i.e. already (C, H, W). The reader accepts files with any whole number
 * of records, so tests can write small files in the real format instead of mocking the reader.
 */
public final class CifarReader {
    static final int RECORD_PIXELS = 3 * 32 * 32;
    static final int RECORD_BYTES = 1 + RECORD_PIXELS;
    static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    static final String TEST_FILE = "test_batch.bin";
    static final String SUBDIR = "cifar-10-batches-bin";
    static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private CifarReader() {
    }

    /** Reads the five training batches and the test batch from {@code dir} or {@code dir/cifar-10-batches-bin/}. */
    public static DataSplit read(Path dir) {
        Path base = locate(dir);
        List<String> classNames = classNames(base);
        List<Path> trainFiles = TRAIN_FILES.stream().map(base::resolve).toList();
        ImageDataset train = readFiles("cifar10", trainFiles, classNames);
        ImageDataset test = readFiles("cifar10", List.of(base.resolve(TEST_FILE)), classNames);
        return new DataSplit(train, test);
    }

    /** The directory holding all six batch files; throws naming every missing file when neither place has them. */
    static Path locate(Path dir) {
        List<String> missingDirect = missing(dir);
        if (missingDirect.isEmpty()) {
            return dir;
        }
        Path nested = dir.resolve(SUBDIR);
        List<String> missingNested = missing(nested);
        if (missingNested.isEmpty()) {
            return nested;
        }
        // Report the place that holds more of the files: that is where the user was putting them.
        boolean nestedCloser = Files.isDirectory(nested) && missingNested.size() <= missingDirect.size();
        Path where = nestedCloser ? nested : dir;
        List<String> names = nestedCloser ? missingNested : missingDirect;
        throw new DatasetException("CIFAR-10 files missing in " + where + ": " + String.join(", ", names)
                + ". Run `distill4j data download cifar10`, or put the contents of cifar-10-binary.tar.gz"
                + " (the cifar-10-batches-bin folder) under " + dir + " by hand.");
    }

    private static List<String> missing(Path dir) {
        List<String> names = new ArrayList<>(TRAIN_FILES);
        names.add(TEST_FILE);
        return names.stream().filter(n -> !Files.isRegularFile(dir.resolve(n))).toList();
    }

    /** Class names from batches.meta.txt (one per line) when present and sensible, else the standard ten. */
    private static List<String> classNames(Path base) {
        Path meta = base.resolve("batches.meta.txt");
        if (!Files.isRegularFile(meta)) {
            return CLASS_NAMES;
        }
        try {
            List<String> names = Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            return names.size() == CLASS_NAMES.size() ? names : CLASS_NAMES;
        } catch (IOException e) {
            throw new DatasetException(meta + ": cannot be read (" + e.getMessage() + "). Delete it and run"
                    + " `distill4j data download cifar10`", e);
        }
    }

    private static ImageDataset readFiles(String name, List<Path> files, List<String> classNames) {
        long total = 0;
        for (Path file : files) {
            total += recordCount(file);
        }
        if (total * RECORD_PIXELS > Integer.MAX_VALUE - 8) {
            throw new DatasetException(files.get(0).getParent() + ": " + total + " records do not fit in one array");
        }
        byte[] images = new byte[(int) total * RECORD_PIXELS];
        int[] labels = new int[(int) total];
        int at = 0;
        for (Path file : files) {
            at = readFile(file, images, labels, at);
        }
        return new ImageDataset(name, images, labels, 3, 32, 32, classNames);
    }

    /** Records in the file, after checking its length is a positive multiple of one record. */
    static long recordCount(Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (length == 0 || length % RECORD_BYTES != 0) {
            throw new DatasetException(file + ": length " + length + " is not a multiple of " + RECORD_BYTES
                    + " bytes (1 label + 3072 pixels); the file is truncated or not CIFAR-10 binary."
                    + " Delete it and run `distill4j data download cifar10`");
        }
        return length / RECORD_BYTES;
    }

    /** Reads every record of {@code file} into the arrays from record {@code at}; returns the next free record. */
    private static int readFile(Path file, byte[] images, int[] labels, int at) {
        long records = recordCount(file);
        byte[] record = new byte[RECORD_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r = 0; r < records; r++, at++) {
                if (in.readNBytes(record, 0, RECORD_BYTES) != RECORD_BYTES) {
                    throw new DatasetException(file + ": ended early at record " + r + " (the file changed while being"
                            + " read?). Delete it and run `distill4j data download cifar10`");
                }
                int label = record[0] & 0xFF;
                if (label > 9) {
                    throw new DatasetException(file + ": record " + r + " has label byte " + label
                            + ", but CIFAR-10 labels are 0..9; the file is corrupt or not CIFAR-10 binary."
                            + " Delete it and run `distill4j data download cifar10`");
                }
                labels[at] = label;
                System.arraycopy(record, 1, images, at * RECORD_PIXELS, RECORD_PIXELS);
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return at;
    }
}
