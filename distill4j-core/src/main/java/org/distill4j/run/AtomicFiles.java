package org.distill4j.run;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Writes files so that a reader (or a crash) never sees half of one: the bytes go to a temporary file in
 * the same directory, which is then renamed over the target. A finished result is never lost to a
 * failure while its replacement is being written: when a write fails (a full disk, a read-only directory, a
 * quota), the temporary file is removed, the previous version of the target stays as it was, and the error says
 * what could not be written, where, how much space is left, and that the same command will succeed once the
 * cause is gone.
 */
public final class AtomicFiles {

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** A simulated full disk under one directory (tests only; see {@link #simulateFullDisk}). */
    private record Fault(Path dir, long budget, long[] used) {}

    private static volatile Fault fault;

    private AtomicFiles() {}

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream out = limited(target, Files.newOutputStream(tmp))) {
                writer.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException(describe(target, e), e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes the temporary files a killed writer left in {@code dir} (not in its subdirectories); the targets they
     * were to replace are whole, old or new. Call it only while holding the directory's {@link RunLock}, so that no
     * live writer's temporary file is taken for a stale one. Returns how many were deleted.
     */
    public static int removeStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Makes every write of a file under {@code dir} fail, as on a full disk, once {@code budget} bytes have been
     * written under it from now on; closing the returned handle frees the disk again. For tests of what a command
     * does when storage runs out, on machines where a small file system cannot be mounted.
     */
    public static AutoCloseable simulateFullDisk(Path dir, long budget) {
        fault = new Fault(dir.toAbsolutePath().normalize(), budget, new long[1]);
        return () -> fault = null;
    }

    /** The message of a failed write: what, where, why, the space left, and what to do. */
    static String describe(Path target, IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("cannot write ")) {
            return e.getMessage(); // a nested write already said it
        }
        String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied (a read-only directory?)"
                : e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage() != null && e.getMessage().equals(target.toString()) ? e.getClass().getSimpleName()
                : e.getMessage() != null ? e.getMessage() : e.toString();
        String space = "";
        try {
            Path dir = target.toAbsolutePath().getParent();
            while (dir != null && !Files.exists(dir)) {
                dir = dir.getParent();
            }
            if (dir != null) {
                space = String.format(Locale.ROOT, "; %.1f MB free there", Files.getFileStore(dir).getUsableSpace() / 1e6);
            }
        } catch (IOException | RuntimeException ignored) {
            // the figure is a courtesy
        }
        return "cannot write " + target + ": " + reason + space + ". Its previous version and every finished result "
                + "are intact; free some space (or make the directory writable) and run the same command again";
    }

    private static OutputStream limited(Path target, OutputStream out) {
        Fault f = fault;
        if (f == null || !target.toAbsolutePath().normalize().startsWith(f.dir())) {
            return out;
        }
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                charge(1);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                charge(len);
                out.write(b, off, len);
            }

            private void charge(long n) throws IOException {
                synchronized (f) {
                    if (f.used()[0] + n > f.budget()) {
                        throw new IOException("No space left on device (simulated)");
                    }
                    f.used()[0] += n;
                }
            }
        };
    }
}
