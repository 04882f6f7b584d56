package org.distill4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The data sets distill4j knows by name, and the four things one does with a name: load, download, verify, and
 * pick its augmentation. The CLI's {@code data} commands and the config's {@code dataset:} key both come here.
 */
public final class Datasets {
    public static final List<String> NAMES = List.of("cifar10", "fashion-mnist", "synthetic");

    // The synthetic default: CIFAR-shaped, big enough to train a CNN past chance in one epoch, small enough for tests.
    static final int SYNTHETIC_TRAIN = 2000;
    static final int SYNTHETIC_TEST = 500;

    private Datasets() {
    }

    /** {@code ~/.distill4j/data}: one place per user, so every run shares one downloaded copy. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".distill4j", "data");
    }

    /** Loads from disk, never downloading: a run should not silently reach the network. */
    public static DataSplit load(String name, Path dataDir) {
        return switch (checkName(name)) {
            case "cifar10" -> CifarReader.read(dataDir.resolve("cifar10"));
            case "fashion-mnist" -> FashionMnistReader.read(dataDir);
            default -> SyntheticDataset.split(SYNTHETIC_TRAIN, SYNTHETIC_TEST, 10, 3, 32, 0);
        };
    }

    /**
     * Downloads into {@code dataDir} unless a copy that verifies is already there (for Fashion-MNIST, Debian's
     * copy counts), then verifies. Nothing to do for "synthetic".
     */
    public static void download(String name, Path dataDir, ProgressListener progress) {
        String checked = checkName(name);
        if (checked.equals("synthetic")) {
            return;
        }
        try {
            verify(checked, dataDir);
            return;
        } catch (DatasetException absentOrBroken) {
            // fall through: fetch a fresh copy
        }
        if (checked.equals("cifar10")) {
            new CifarDownloader().download(dataDir, progress);
        } else {
            new FashionMnistDownloader().download(dataDir, progress);
        }
        verify(checked, dataDir);
    }

    /** Checks every file is present and well formed (and its checksum, where known); returns a summary for people. */
    public static String verify(String name, Path dataDir) {
        return switch (checkName(name)) {
            case "cifar10" -> verifyCifar(dataDir.resolve("cifar10"));
            case "fashion-mnist" -> FashionMnistReader.verify(dataDir);
            default -> "synthetic: generated in memory from a seed, nothing on disk to verify";
        };
    }

    /**
     * CIFAR-10's published MD5 covers the archive, not the unpacked files, so verification reads every record
     * (lengths, label range) and reports counts, warning when they differ from the full 50,000 / 10,000.
     */
    private static String verifyCifar(Path dir) {
        DataSplit split = CifarReader.read(dir);
        boolean full = split.train().size() == 50_000 && split.test().size() == 10_000;
        return "cifar10 in " + CifarReader.locate(dir) + ": " + split.train().size() + " train / " + split.test().size()
                + " test images, 3x32x32, 10 classes" + (full ? "" : " (WARNING: the full set has 50000 / 10000)")
                + "\n  train SHA-256 " + split.train().sha256() + "\n  test SHA-256 " + split.test().sha256();
    }

    /** Default training augmentation: flips suit natural photos; mirrored clothes are fine but the recipe omits them. */
    public static Augmentation defaultAugmentation(String name) {
        return switch (checkName(name)) {
            case "cifar10" -> new Augmentation(4, true);
            default -> new Augmentation(4, false);
        };
    }

    private static String checkName(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; known datasets: " + String.join(", ", NAMES));
        }
        return name;
    }
}
