package org.distill4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 (see {@link CifarFormat} for the record layout). Every label
 * byte of every record is range-checked, including the ones not asked for, so a corrupt file never loads. The reader
 * accepts files with any whole number of records, so tests can write small files in the real format instead of
 * mocking the reader.
 */
public final class CifarReader {
    private CifarReader() {
    }

    /** Reads CIFAR-10's five training batches and its test batch from {@code dir} or {@code dir/cifar-10-batches-bin/}. */
    public static DataSplit read(Path dir) {
        return read(CifarFormat.CIFAR10, dir, "fine");
    }

    /** Reads {@code format}'s files from {@code dir} or its archive subfolder, labelled by the {@code labelKind} byte. */
    static DataSplit read(CifarFormat format, Path dir, String labelKind) {
        int field = format.labelIndex(labelKind);
        Path base = locate(format, dir);
        List<String> classNames = classNames(format, field, base);
        List<Path> trainFiles = format.trainFiles().stream().map(base::resolve).toList();
        ImageDataset train = readFiles(format, trainFiles, field, classNames);
        ImageDataset test = readFiles(format, List.of(base.resolve(format.testFile())), field, classNames);
        return new DataSplit(train, test);
    }

    /**
     * Reads every record and reports counts, warning when they differ from the full 50,000 / 10,000. The published
     * MD5 covers the archive, not the unpacked files, so reading is the check; the SHA-256s identify what was read.
     */
    static String verify(CifarFormat format, Path dir, String labelKind) {
        DataSplit split = read(format, dir, labelKind);
        boolean full = split.train().size() == CifarFormat.FULL_TRAIN && split.test().size() == CifarFormat.FULL_TEST;
        String labels = format.labels().size() == 1 ? "" : " (" + labelKind + " labels)";
        return format.name() + " in " + locate(format, dir) + ": " + split.train().size() + " train / "
                + split.test().size() + " test images, 3x32x32, " + split.train().numClasses() + " classes" + labels
                + (full ? "" : " (WARNING: the full set has " + CifarFormat.FULL_TRAIN + " / " + CifarFormat.FULL_TEST + ")")
                + "\n  train SHA-256 " + split.train().sha256() + "\n  test SHA-256 " + split.test().sha256();
    }

    /** The directory holding all of the set's files; throws naming every missing file when neither place has them. */
    static Path locate(CifarFormat format, Path dir) {
        List<String> missingDirect = missing(format, dir);
        if (missingDirect.isEmpty()) {
            return dir;
        }
        Path nested = dir.resolve(format.subdir());
        List<String> missingNested = missing(format, nested);
        if (missingNested.isEmpty()) {
            return nested;
        }
        // Report the place that holds more of the files: that is where the user was putting them.
        boolean nestedCloser = Files.isDirectory(nested) && missingNested.size() <= missingDirect.size();
        Path where = nestedCloser ? nested : dir;
        List<String> names = nestedCloser ? missingNested : missingDirect;
        throw new DatasetException(format.title() + " files missing in " + where + ": " + String.join(", ", names)
                + ". Run `distill4j data download " + format.name() + "`, or put the contents of " + format.archiveName()
                + " (the " + format.subdir() + " folder) under " + dir + " by hand.");
    }

    private static List<String> missing(CifarFormat format, Path dir) {
        return format.files().stream().filter(n -> !Files.isRegularFile(dir.resolve(n))).toList();
    }

    /** Class names from the label-name file (one per line) when present and sensible, else the standard ones. */
    private static List<String> classNames(CifarFormat format, int field, Path base) {
        CifarFormat.LabelField labels = format.labels().get(field);
        Path file = base.resolve(labels.namesFile());
        if (!Files.isRegularFile(file)) {
            return labels.standardNames();
        }
        try {
            List<String> names = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            boolean sensible = names.size() == labels.classes() && new HashSet<>(names).size() == names.size();
            return sensible ? names : labels.standardNames();
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getMessage() + "). Delete it and run"
                    + " `distill4j data download " + format.name() + "`", e);
        }
    }

    private static ImageDataset readFiles(CifarFormat format, List<Path> files, int field, List<String> classNames) {
        long total = 0;
        for (Path file : files) {
            total += recordCount(format, file);
        }
        if (total * CifarFormat.PIXELS > Integer.MAX_VALUE - 8) {
            throw new DatasetException(files.get(0).getParent() + ": " + total + " records do not fit in one array");
        }
        byte[] images = new byte[(int) total * CifarFormat.PIXELS];
        int[] labels = new int[(int) total];
        int at = 0;
        for (Path file : files) {
            at = readFile(format, file, field, images, labels, at);
        }
        return new ImageDataset(format.name(), images, labels, 3, 32, 32, classNames);
    }

    /** Records in the file, after checking its length is a positive multiple of one record. */
    static long recordCount(CifarFormat format, Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        int labelBytes = format.labels().size();
        if (length == 0 || length % format.recordBytes() != 0) {
            throw new DatasetException(file + ": length " + length + " is not a multiple of " + format.recordBytes()
                    + " bytes (" + labelBytes + (labelBytes == 1 ? " label" : " labels") + " + 3072 pixels); the file"
                    + " is truncated or not " + format.title() + " binary. " + redownload(format));
        }
        return length / format.recordBytes();
    }

    /** Reads every record of {@code file} into the arrays from record {@code at}; returns the next free record. */
    private static int readFile(CifarFormat format, Path file, int field, byte[] images, int[] labels, int at) {
        long records = recordCount(format, file);
        int labelBytes = format.labels().size();
        byte[] record = new byte[format.recordBytes()];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r = 0; r < records; r++, at++) {
                if (in.readNBytes(record, 0, record.length) != record.length) {
                    throw new DatasetException(file + ": ended early at record " + r + " (the file changed while being"
                            + " read?). " + redownload(format));
                }
                for (int b = 0; b < labelBytes; b++) {
                    checkLabel(format, file, r, b, record[b] & 0xFF);
                }
                labels[at] = record[field] & 0xFF;
                System.arraycopy(record, labelBytes, images, at * CifarFormat.PIXELS, CifarFormat.PIXELS);
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return at;
    }

    private static void checkLabel(CifarFormat format, Path file, int record, int field, int label) {
        int classes = format.labels().get(field).classes();
        if (label >= classes) {
            String word = format.labelWord(field);
            throw new DatasetException(file + ": record " + record + " has " + word + " byte " + label + ", but "
                    + format.title() + " " + word + "s are 0.." + (classes - 1) + "; the file is corrupt or not "
                    + format.title() + " binary. " + redownload(format));
        }
    }

    private static String redownload(CifarFormat format) {
        return "Delete it and run `distill4j data download " + format.name() + "`";
    }
}
