package org.distill4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Fetches a URL to a file while computing its MD5, reporting progress. Plain {@link URLConnection} so that
 * {@code file://} works too: tests point downloaders at small local archives instead of the network.
 */
final class Downloads {
    private static final int CONNECT_TIMEOUT_MS = 15_000; // a dead host should fail fast, not hang the CLI
    private static final int READ_TIMEOUT_MS = 60_000;    // a slow mirror may stall briefly; a minute is generous

    private Downloads() {
    }

    /**
     * Copies {@code url} to {@code target} (overwritten) and returns the hex MD5 of the bytes written.
     *
     * @throws IOException when the URL cannot be reached or the transfer breaks; callers turn it into a
     *                     {@link DatasetException} that says where to put the file by hand
     */
    static String fetch(URI url, Path target, ProgressListener progress) throws IOException {
        URLConnection connection = url.toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        long total = connection.getContentLengthLong();
        MessageDigest digest = Checksums.md5();
        byte[] buffer = new byte[1 << 16];
        long done = 0;
        try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(target)) {
            progress.update(0, total);
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                done += n;
                progress.update(done, total);
            }
        }
        if (total >= 0 && done != total) {
            throw new IOException("received " + done + " of " + total + " bytes");
        }
        return Checksums.hex(digest);
    }

    /** Deletes a file or directory tree, ignoring what is already gone; used to clean up after a failed attempt. */
    static void deleteRecursively(Path path) {
        if (path == null || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new DatasetException(path + ": could not be deleted (" + e.getMessage() + "); delete it by hand", e);
        }
    }
}
