package org.distill4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The data sets distill4j knows by name, and the four things one does with a name: load, download, verify, and
 * pick its augmentation. The CLI's {@code data} commands and the config's {@code dataset:} key both come here.
 *
 * <p>{@code dataDir} is the data directory (each set in its own subfolder, e.g. {@code <dataDir>/cifar100/}), except
 * for "folder", where it is the image folder itself ({@code dataDir/train/CLASS/...}, see {@link ImageFolder}).
 */
public final class Datasets {
    public static final List<String> NAMES = List.of("cifar10", "cifar100", "fashion-mnist", "folder", "synthetic");

    // The synthetic default: CIFAR-shaped, big enough to train a CNN past chance in one epoch, small enough for tests.
    static final int SYNTHETIC_TRAIN = 2000;
    static final int SYNTHETIC_TEST = 500;

    private Datasets() {
    }

    /** {@code ~/.distill4j/data}: one place per user, so every run shares one downloaded copy. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".distill4j", "data");
    }

    /** Loads with {@link DataOptions#defaults()}. */
    public static DataSplit load(String name, Path dataDir) {
        return load(name, dataDir, DataOptions.defaults());
    }

    /** Loads from disk, never downloading: a run should not silently reach the network. */
    public static DataSplit load(String name, Path dataDir, DataOptions options) {
        DataSplit split = switch (check(name, options)) {
            case "cifar10" -> CifarReader.read(CifarFormat.CIFAR10, dataDir.resolve("cifar10"), options.labels());
            case "cifar100" -> CifarReader.read(CifarFormat.CIFAR100, dataDir.resolve("cifar100"), options.labels());
            case "fashion-mnist" -> FashionMnistReader.read(dataDir);
            case "folder" -> ImageFolder.load(dataDir, options);
            default -> SyntheticDataset.split(SYNTHETIC_TRAIN, SYNTHETIC_TEST, 10, 3, 32, 0);
        };
        if (options.border() == 0) {
            return split;
        }
        return new DataSplit(split.train().withBorder(options.border()), split.test().withBorder(options.border()),
                split.skipped());
    }

    /**
     * Downloads into {@code dataDir} unless a copy that verifies is already there (for Fashion-MNIST, Debian's
     * copy counts), then verifies. Nothing to do for "synthetic"; an error for "folder", which is your own images.
     */
    public static void download(String name, Path dataDir, ProgressListener progress) {
        String checked = check(name, DataOptions.defaults());
        if (checked.equals("synthetic")) {
            return;
        }
        if (checked.equals("folder")) {
            throw new DatasetException("nothing to download for folder: it reads your own images from the folder"
                    + " given as data directory (PATH/train/CLASS/*.png or *.jpg, optionally PATH/val/CLASS/)");
        }
        try {
            verify(checked, dataDir);
            return;
        } catch (DatasetException absentOrBroken) {
            // fall through: fetch a fresh copy
        }
        if (checked.startsWith("cifar")) {
            CifarDownloader.official(checked).download(dataDir, progress);
        } else {
            new FashionMnistDownloader().download(dataDir, progress);
        }
        verify(checked, dataDir);
    }

    /** Verifies with {@link DataOptions#defaults()}. */
    public static String verify(String name, Path dataDir) {
        return verify(name, dataDir, DataOptions.defaults());
    }

    /**
     * Checks every file is present and well formed (and its checksum, where known); returns a summary for people.
     * For "folder" this loads the folder (decoding every image, or reading the cache of the unchanged folder).
     */
    public static String verify(String name, Path dataDir, DataOptions options) {
        return switch (check(name, options)) {
            case "cifar10" -> CifarReader.verify(CifarFormat.CIFAR10, dataDir.resolve("cifar10"), options.labels());
            case "cifar100" -> CifarReader.verify(CifarFormat.CIFAR100, dataDir.resolve("cifar100"), options.labels());
            case "fashion-mnist" -> FashionMnistReader.verify(dataDir);
            case "folder" -> ImageFolder.verify(dataDir, options);
            default -> "synthetic: generated in memory from a seed, nothing on disk to verify";
        };
    }

    /**
     * Default training augmentation: pad-and-crop for all; flips suit natural photos (CIFAR, your own folder) but
     * not Fashion-MNIST, where mirrored clothes would do no harm but the recipe omits them.
     */
    public static Augmentation defaultAugmentation(String name) {
        return switch (checkName(name)) {
            case "cifar10", "cifar100", "folder" -> new Augmentation(4, true);
            default -> new Augmentation(4, false);
        };
    }

    /** The name, after checking it is known and that coarse labels are asked of CIFAR-100 only. */
    private static String check(String name, DataOptions options) {
        String checked = checkName(name);
        if (options.labels().equals("coarse") && !checked.equals("cifar100")) {
            throw new IllegalArgumentException("labels 'coarse' exist only for cifar100; " + checked
                    + " has one set of labels, so leave labels at 'fine'");
        }
        return checked;
    }

    private static String checkName(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; known datasets: " + String.join(", ", NAMES));
        }
        return name;
    }
}
