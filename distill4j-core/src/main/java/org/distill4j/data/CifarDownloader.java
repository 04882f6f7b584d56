package org.distill4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Downloads a CIFAR binary archive (cifar-10-binary.tar.gz or cifar-100-binary.tar.gz), checks its MD5, and unpacks
 * it to {@code <dataDir>/cifar10/} or {@code <dataDir>/cifar100/}. All or nothing: the archive goes to a temporary
 * file and is unpacked into a temporary directory beside the target, which is renamed into place only once every step
 * has succeeded, so an interrupted download never looks like data.
 */
public final class CifarDownloader {
    /** CIFAR-10's archive; the authors' page, https://www.cs.toronto.edu/~kriz/cifar.html, lists this URL and MD5. */
    public static final URI DEFAULT_URL = CifarFormat.CIFAR10.url();
    public static final String DEFAULT_MD5 = CifarFormat.CIFAR10.md5();

    private final CifarFormat format;
    private final URI url;
    private final String md5;

    /** The official CIFAR-10 archive. */
    public CifarDownloader() {
        this(CifarFormat.CIFAR10, DEFAULT_URL, DEFAULT_MD5);
    }

    /** Another source of CIFAR-10 (a mirror, or a {@code file://} archive in a test) with its expected hex MD5. */
    public CifarDownloader(URI url, String md5) {
        this(CifarFormat.CIFAR10, url, md5);
    }

    /** The official archive of "cifar10" or "cifar100". */
    public static CifarDownloader official(String name) {
        CifarFormat format = switch (name) {
            case "cifar10" -> CifarFormat.CIFAR10;
            case "cifar100" -> CifarFormat.CIFAR100;
            default -> throw new IllegalArgumentException("no CIFAR archive named '" + name + "'; use cifar10 or cifar100");
        };
        return new CifarDownloader(format, format.url(), format.md5());
    }

    CifarDownloader(CifarFormat format, URI url, String md5) {
        this.format = Objects.requireNonNull(format, "format");
        this.url = Objects.requireNonNull(url, "url");
        this.md5 = Objects.requireNonNull(md5, "md5").toLowerCase(Locale.ROOT);
    }

    /** Downloads, checks and unpacks into {@code <dataDir>/<name>/}, replacing what is there; returns that directory. */
    public Path download(Path dataDir, ProgressListener progress) {
        Path target = dataDir.resolve(format.name());
        Path archive = null;
        Path unpacked = null;
        try {
            Files.createDirectories(dataDir);
            archive = Files.createTempFile(dataDir, format.subdir(), ".tar.gz.part");
            unpacked = Files.createTempDirectory(dataDir, format.name() + ".unpacking");
            fetchAndCheck(archive, progress);
            unpack(archive, unpacked);
            checkContents(unpacked);
            replace(unpacked, target);
            unpacked = null;
            return target;
        } catch (IOException e) {
            throw new DatasetException("could not write " + format.title() + " under " + dataDir + " (" + e.getMessage()
                    + "). Check the directory is writable and has 400 MB free", e);
        } finally {
            Downloads.deleteRecursively(archive);
            Downloads.deleteRecursively(unpacked);
        }
    }

    private void fetchAndCheck(Path archive, ProgressListener progress) {
        String actual;
        try {
            actual = Downloads.fetch(url, archive, progress);
        } catch (IOException e) {
            throw new DatasetException("downloading " + url + " failed (" + e + "). If this machine is offline, fetch "
                    + format.archiveName() + " elsewhere and unpack it so that the " + format.subdir() + " folder sits"
                    + " under " + archive.getParent().resolve(format.name()) + "/", e);
        }
        if (!actual.equals(md5)) {
            throw new DatasetException(url + ": MD5 mismatch, expected " + md5 + " but got " + actual
                    + "; the download is corrupt or was altered. Nothing was unpacked; run"
                    + " `distill4j data download " + format.name() + "` again");
        }
    }

    private void unpack(Path archive, Path into) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
            TarReader.extract(in, into, url.toString());
        } catch (java.util.zip.ZipException e) {
            throw new DatasetException(url + ": not a gzip archive (" + e.getMessage() + ")", e);
        }
    }

    /** Checks the archive held every data file before anything replaces the target. */
    private void checkContents(Path unpacked) {
        try {
            CifarReader.locate(format, unpacked);
        } catch (DatasetException e) {
            throw new DatasetException(url + ": the archive does not hold the " + format.title() + " binary files ("
                    + e.getMessage() + "). Is the URL right? Nothing was installed", e);
        }
    }

    /** Moves {@code from} to {@code target}; an older target is moved aside first and deleted afterwards. */
    private static void replace(Path from, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old);
        }
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, target);
        }
        Downloads.deleteRecursively(old);
    }
}
