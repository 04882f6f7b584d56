package org.distill4j.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;

/**
 * Downloads the four Fashion-MNIST files into {@code <dataDir>/fashion-mnist/}, checking each against the MD5
 * published in the project's README. Each file is written under a temporary name and renamed only after its
 * checksum matches, so a half-finished download never passes for data.
 */
public final class FashionMnistDownloader {
    /** The official source named in https://github.com/zalandoresearch/fashion-mnist (README, "Get the Data"). */
    public static final URI DEFAULT_BASE_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /** MD5 of each official .gz file, from the Fashion-MNIST README. */
    public static final Map<String, String> DEFAULT_MD5 = Map.of(
            FashionMnistReader.TRAIN_IMAGES, "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            FashionMnistReader.TRAIN_LABELS, "25c81989df183df01b3e8a0aad5dffbe",
            FashionMnistReader.TEST_IMAGES, "bef4ecab320f06d8554ea6380940ec79",
            FashionMnistReader.TEST_LABELS, "bb300cfdad3c16e7a12a480ee83cd310");

    private final URI baseUrl;
    private final Map<String, String> md5;

    public FashionMnistDownloader() {
        this(DEFAULT_BASE_URL, DEFAULT_MD5);
    }

    /** Another source whose base URL ends with '/' (a mirror, or a {@code file://} directory in a test). */
    public FashionMnistDownloader(URI baseUrl, Map<String, String> md5ByFile) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.md5 = Map.copyOf(md5ByFile);
        for (String file : FashionMnistReader.FILES) {
            if (!md5.containsKey(file)) {
                throw new IllegalArgumentException("no MD5 given for " + file);
            }
        }
    }

    /**
     * Fetches every file not already in {@code <dataDir>/fashion-mnist/}; progress is reported per file.
     * Returns that directory.
     */
    public Path download(Path dataDir, ProgressListener progress) {
        Path dir = dataDir.resolve("fashion-mnist");
        for (String file : FashionMnistReader.missing(dir)) {
            fetchOne(dir, file, progress);
        }
        return dir;
    }

    private void fetchOne(Path dir, String file, ProgressListener progress) {
        URI url = baseUrl.resolve(file);
        Path part = dir.resolve(file + ".part");
        try {
            Files.createDirectories(dir);
            String actual;
            try {
                actual = Downloads.fetch(url, part, progress);
            } catch (IOException e) {
                throw new DatasetException("downloading " + url + " failed (" + e + "). If this machine is offline,"
                        + " run `apt-get install dataset-fashion-mnist`, or copy " + file + " from"
                        + " https://github.com/zalandoresearch/fashion-mnist into " + dir + "/ by hand", e);
            }
            if (!actual.equals(md5.get(file))) {
                throw new DatasetException(url + ": MD5 mismatch, expected " + md5.get(file) + " but got " + actual
                        + "; the download is corrupt or was altered. Run `distill4j data download fashion-mnist` again");
            }
            Files.move(part, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DatasetException("could not write " + dir.resolve(file) + " (" + e.getMessage() + ")", e);
        } finally {
            Downloads.deleteRecursively(part);
        }
    }
}
