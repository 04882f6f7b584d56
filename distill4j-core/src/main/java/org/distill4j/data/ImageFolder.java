package org.distill4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Your own images as a data set ("folder"): {@code ROOT/train/CLASS/*} and optionally {@code ROOT/val/CLASS/*}, PNG or
 * JPEG (see {@link FolderScan}). Class names are the sorted train/ subfolders, labels their indices. Without val/,
 * {@link FolderSplit} holds out {@code valFraction} of each class, seeded. Every image is resized whole to
 * {@code imageSize} x {@code imageSize} (see {@link ImageDecoder}); the data set has 3 channels (RGB) unless every
 * image is grayscale, then 1. Decoding runs on one thread per processor, once: the result is cached
 * ({@link FolderCache}) under {@link #defaultCacheDir()} and later loads of the unchanged folder read the cache.
 * Mean, std and SHA-256 are not cached: {@link ImageDataset} computes them in one fast pass over the bytes.
 */
public final class ImageFolder {
    /** The name of the loaded {@link ImageDataset}s; the folder itself is the data directory in provenance. */
    static final String NAME = "folder";

    private ImageFolder() {
    }

    /** {@code ~/.distill4j/cache/folders}: beside the data directory, shared by every run of the user. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".distill4j", "cache", "folders");
    }

    /** Loads {@code root} using the default cache. */
    public static DataSplit load(Path root, DataOptions options) {
        return load(root, options, defaultCacheDir(), ProgressListener.none());
    }

    /**
     * Loads {@code root}, from {@code cacheDir} when the folder is unchanged since it was cached. {@code progress}
     * counts decoded images (it is not called on a cache hit). The split's {@link DataSplit#skipped()} lists the
     * images left out as unreadable when {@link DataOptions#skipUnreadable()}; otherwise one is an error.
     */
    public static DataSplit load(Path root, DataOptions options, Path cacheDir, ProgressListener progress) {
        FolderScan.Listing listing = FolderScan.scan(root);
        FolderSplit.Parts parts = listing.val() != null ? new FolderSplit.Parts(listing.train(), listing.val())
                : FolderSplit.split(listing.train(), listing.classNames(), options.valFraction());
        FolderCache cache = new FolderCache(cacheDir, root, options, parts.train(), parts.val());
        DataSplit cached = cache.read();
        if (cached != null) {
            return cached;
        }
        DataSplit split = decode(listing, parts, options, progress);
        cache.write(split);
        return split;
    }

    /** A summary for people: classes, images per side and class, shape, what was skipped, and the SHA-256s. */
    static String verify(Path root, DataOptions options) {
        return summary(root, load(root, options), options);
    }

    static String summary(Path root, DataSplit split, DataOptions options) {
        ImageDataset train = split.train();
        boolean hasVal = Files.isDirectory(root.resolve("val"));
        StringBuilder s = new StringBuilder("folder " + root + ": " + train.numClasses() + " classes, " + train.size()
                + " train / " + split.test().size() + " val images (" + (hasVal ? "val/ folder" : "val held out: "
                + Math.round(options.valFraction() * 100) + "% of each class, seeded") + "), " + train.channels() + "x"
                + train.height() + "x" + train.width() + ", " + split.skipped().size() + " skipped as unreadable");
        if (!split.skipped().isEmpty()) {
            s.append(" (").append(String.join(", ", split.skipped().subList(0, Math.min(5, split.skipped().size()))))
                    .append(split.skipped().size() > 5 ? ", ..." : "").append(")");
        }
        int[] trainCounts = counts(train);
        int[] valCounts = counts(split.test());
        for (int c = 0; c < train.numClasses(); c++) {
            s.append("\n  ").append(train.classNames().get(c)).append(": ").append(trainCounts[c]).append(" train / ")
                    .append(valCounts[c]).append(" val");
        }
        return s.append("\n  train SHA-256 ").append(train.sha256())
                .append("\n  val SHA-256 ").append(split.test().sha256()).toString();
    }

    private static int[] counts(ImageDataset data) {
        int[] counts = new int[data.numClasses()];
        for (int i = 0; i < data.size(); i++) {
            counts[data.label(i)]++;
        }
        return counts;
    }

    /** Decodes every image, then lays the readable ones out as (N, C, size, size) per side. */
    private static DataSplit decode(FolderScan.Listing listing, FolderSplit.Parts parts, DataOptions options,
            ProgressListener progress) {
        int size = options.imageSize();
        List<FolderScan.ImageFile> files = new ArrayList<>(parts.train());
        files.addAll(parts.val());
        if ((long) files.size() * 3 * size * size > Integer.MAX_VALUE - 8) {
            throw new DatasetException(listing.root() + ": " + files.size() + " images of 3x" + size + "x" + size
                    + " do not fit in one array (2 GB); use a smaller image size");
        }
        Outcome[] outcomes = decodeAll(files, size, progress);
        List<String> skipped = new ArrayList<>();
        boolean allGray = true;
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i].image() == null) {
                skipped.add(files.get(i).relative());
            } else {
                allGray &= outcomes[i].image().gray();
            }
        }
        skipped.sort(null); // train/ before val/, each by path, however the held-out images were drawn
        if (!skipped.isEmpty() && !options.skipUnreadable()) {
            throw unreadable(skipped, files, outcomes);
        }
        int channels = allGray ? 1 : 3;
        ImageDataset train = side(listing, parts.train(), outcomes, 0, size, channels);
        ImageDataset val = side(listing, parts.val(), outcomes, parts.train().size(), size, channels);
        int[] perClass = counts(train);
        for (int c = 0; c < perClass.length; c++) {
            if (perClass[c] == 0) {
                throw new DatasetException(listing.root().resolve("train").resolve(listing.classNames().get(c))
                        + ": none of its images could be read, so the class cannot be trained. Fix or replace them");
            }
        }
        if (val.size() == 0) {
            throw new DatasetException(listing.root() + ": no images left to validate on. Without a val/ folder each"
                    + " class needs at least 2 images in train/ to hold one out; or add " + listing.root() + "/val/CLASS/");
        }
        return new DataSplit(train, val, skipped);
    }

    /**
     * The readable images among {@code files} (whose outcomes start at {@code offset}) as (N, C, size, size) uint8.
     * With C = 3 a gray image is copied to all three planes ({@link ImageDecoder.Decoded#copyTo}).
     */
    private static ImageDataset side(FolderScan.Listing listing, List<FolderScan.ImageFile> files, Outcome[] outcomes,
            int offset, int size, int channels) {
        int plane = size * size;
        int n = 0;
        for (int i = 0; i < files.size(); i++) {
            n += outcomes[offset + i].image() != null ? 1 : 0;
        }
        byte[] images = new byte[n * channels * plane]; // (N, C, size, size)
        int[] labels = new int[n];
        int at = 0;
        for (int i = 0; i < files.size(); i++) {
            ImageDecoder.Decoded image = outcomes[offset + i].image();
            if (image == null) {
                continue;
            }
            image.copyTo(channels, images, at * channels * plane);
            labels[at++] = files.get(i).label();
        }
        return new ImageDataset(NAME, images, labels, channels, size, size, listing.classNames());
    }

    /** A decoded image, or why the file could not be decoded. */
    record Outcome(ImageDecoder.Decoded image, String problem) {
    }

    /** Decodes on a pool of one thread per processor; outcomes in file order; progress from the calling thread. */
    private static Outcome[] decodeAll(List<FolderScan.ImageFile> files, int size, ProgressListener progress) {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), files.size()));
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread t = new Thread(task, "distill4j-decode-" + threadNumber.incrementAndGet());
            t.setDaemon(true); // never keeps the JVM alive after an error elsewhere
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (FolderScan.ImageFile file : files) {
                futures.add(pool.submit(() -> decodeOne(file, size)));
            }
            Outcome[] outcomes = new Outcome[files.size()];
            progress.update(0, files.size());
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = futures.get(i).get();
                progress.update(i + 1, files.size());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while decoding the images", e);
        } catch (ExecutionException e) {
            // decodeOne catches every exception, so only an Error (say, OutOfMemoryError) lands here
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("decoding failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Outcome decodeOne(FolderScan.ImageFile file, int size) {
        try {
            return new Outcome(ImageDecoder.decode(file.path(), size), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(null, e.getMessage());
        }
    }

    /** The error for the first unreadable image in path order, counting the others. */
    private static DatasetException unreadable(List<String> skipped, List<FolderScan.ImageFile> files,
            Outcome[] outcomes) {
        String first = skipped.get(0);
        int at = 0;
        while (!files.get(at).relative().equals(first)) {
            at++;
        }
        String more = skipped.size() > 1 ? " (and " + (skipped.size() - 1) + " more unreadable images)" : "";
        return new DatasetException(files.get(at).path() + ": not a readable PNG or JPEG (" + outcomes[at].problem()
                + ")" + more + ". Delete or fix it, or pass --skip-unreadable to leave unreadable images out");
    }
}
