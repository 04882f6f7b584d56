package org.distill4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60,000 train and 10,000 test 28x28 greyscale images of
 * 10 clothing classes, as four gzip'd IDX files. It is the embedded default data set because Debian's
 * {@code dataset-fashion-mnist} package installs it, so it is real data that needs no network.
 */
public final class FashionMnistReader {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * MD5 of each file's gunzipped content. Checked on the content, not the .gz, because Debian recompressed the
     * files (different gzip headers, same bytes inside); these are the digests of the official files' content.
     */
    static final Map<String, String> CONTENT_MD5 = Map.of(
            TRAIN_IMAGES, "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            TRAIN_LABELS, "9018921c3c673c538a1fc5bad174d6f9",
            TEST_IMAGES, "8181f5470baa50b63fa0f6fddb340f0a",
            TEST_LABELS, "15d484375f8d13e6eb1aabb0c3f46965");

    private FashionMnistReader() {
    }

    /** Reads from {@code <dataDir>/fashion-mnist/}, else from Debian's {@code /usr/share/datasets/fashion-mnist/}. */
    public static DataSplit read(Path dataDir) {
        return readFrom(locate(candidates(dataDir)));
    }

    static List<Path> candidates(Path dataDir) {
        return List.of(dataDir.resolve("fashion-mnist"), DEBIAN_DIR);
    }

    /** The first directory holding all four files; else an error naming what is missing and how to get it. */
    static Path locate(List<Path> candidates) {
        for (Path dir : candidates) {
            if (missing(dir).isEmpty()) {
                return dir;
            }
        }
        Path first = candidates.get(0);
        throw new DatasetException("Fashion-MNIST files missing in " + first + ": " + String.join(", ", missing(first))
                + " (also looked in " + candidates.subList(1, candidates.size()) + "). Run"
                + " `distill4j data download fashion-mnist`, or `apt-get install dataset-fashion-mnist`, or copy the"
                + " four .gz files from https://github.com/zalandoresearch/fashion-mnist into " + first + "/ by hand.");
    }

    static List<String> missing(Path dir) {
        return FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
    }

    /** Reads the four files of one directory. */
    static DataSplit readFrom(Path dir) {
        return new DataSplit(readPart(dir, TRAIN_IMAGES, TRAIN_LABELS), readPart(dir, TEST_IMAGES, TEST_LABELS));
    }

    private static ImageDataset readPart(Path dir, String imageFile, String labelFile) {
        int[] dims = new int[3]; // N, rows, cols
        byte[] images = IdxReader.readImages(dir.resolve(imageFile), dims);
        int[] labels = IdxReader.readLabels(dir.resolve(labelFile));
        if (labels.length != dims[0]) {
            throw new DatasetException(dir.resolve(imageFile) + " holds " + dims[0] + " images but " + labelFile
                    + " holds " + labels.length + " labels; the files come from different sets or one is damaged."
                    + " Delete both and run `distill4j data download fashion-mnist`");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASS_NAMES.size()) {
                throw new DatasetException(dir.resolve(labelFile) + ": record " + i + " has label " + labels[i]
                        + ", but Fashion-MNIST labels are 0..9. Delete it and run `distill4j data download fashion-mnist`");
            }
        }
        return new ImageDataset("fashion-mnist", images, labels, 1, dims[1], dims[2], CLASS_NAMES);
    }

    /** Checks content checksums, then structure; returns a one-paragraph summary or throws naming the bad file. */
    static String verify(Path dataDir) {
        Path dir = locate(candidates(dataDir));
        List<String> lines = new ArrayList<>();
        for (String file : FILES) {
            Path path = dir.resolve(file);
            String actual;
            try {
                actual = Checksums.md5OfGunzipped(path);
            } catch (IOException e) {
                throw new DatasetException(path + ": cannot be decompressed (" + e.getMessage() + "). Delete it and"
                        + " run `distill4j data download fashion-mnist`", e);
            }
            if (!actual.equals(CONTENT_MD5.get(file))) {
                throw new DatasetException(path + ": content MD5 is " + actual + " but the official file's is "
                        + CONTENT_MD5.get(file) + ". Delete it and run `distill4j data download fashion-mnist`");
            }
            lines.add("  " + file + "  content MD5 " + actual + " OK");
        }
        DataSplit split = readFrom(dir);
        return "fashion-mnist in " + dir + ": " + split.train().size() + " train / " + split.test().size()
                + " test images, 1x28x28, 10 classes\n" + String.join("\n", lines)
                + "\n  train SHA-256 " + split.train().sha256();
    }
}
