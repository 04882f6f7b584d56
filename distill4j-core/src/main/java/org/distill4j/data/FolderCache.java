package org.distill4j.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A decoded image folder kept as one binary file, so only the first load pays for decoding. The key is a SHA-256
 * over the format version, the decoding rules, the folder's absolute path, the options that change the result, and
 * every image's relative path, size, mtime and side (train or val); any change there makes the entry stale. The
 * file name hashes only the folder and options, so a changed folder overwrites its entry instead of adding one.
 * Writes go to a temporary file renamed into place; a missing, stale or damaged entry (CRC32 over the content) is
 * simply rebuilt, and a cache that cannot be written only costs the next load its speed.
 */
final class FolderCache {
    // Bump when decoding, resizing, the channel rule or the file layout change: old entries then never match.
    private static final int VERSION = 1;
    private static final String MAGIC = "distill4j folder cache";
    private static final String RULES = "box filter, whole image; 1 channel iff every image is gray; alpha dropped";

    private final Path file;
    private final String key;

    FolderCache(Path cacheDir, Path root, DataOptions options, List<FolderScan.ImageFile> train,
            List<FolderScan.ImageFile> val) {
        String folder = root.toAbsolutePath().normalize() + "\n" + options.imageSize() + "\n" + options.valFraction()
                + "\n" + options.skipUnreadable() + "\n";
        StringBuilder all = new StringBuilder(VERSION + "\n" + RULES + "\n" + folder);
        appendFiles(all, "train", train);
        appendFiles(all, "val", val);
        // e.g. pets-0a1b2c...bin: the folder's name for people, a hash of path and options to tell entries apart
        Path last = root.toAbsolutePath().normalize().getFileName();
        String name = (last == null ? "root" : last.toString()).replaceAll("[^A-Za-z0-9._-]", "_");
        this.file = cacheDir.resolve(name + "-" + sha256(VERSION + folder).substring(0, 24) + ".bin");
        this.key = sha256(all.toString());
    }

    private static void appendFiles(StringBuilder out, String side, List<FolderScan.ImageFile> files) {
        for (FolderScan.ImageFile f : files) {
            out.append(side).append('\t').append(f.relative()).append('\t').append(f.size()).append('\t')
                    .append(f.modifiedMillis()).append('\n');
        }
    }

    Path file() {
        return file;
    }

    /** The cached split, or null when there is no entry for exactly this folder state (or it is damaged). */
    DataSplit read() {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (CheckedInputStream checked = new CheckedInputStream(
                new BufferedInputStream(Files.newInputStream(file), 1 << 16), new CRC32());
                DataInputStream in = new DataInputStream(checked)) {
            if (!in.readUTF().equals(MAGIC) || in.readInt() != VERSION || !in.readUTF().equals(key)) {
                return null;
            }
            int channels = in.readInt();
            int size = in.readInt();
            List<String> classNames = readStrings(in);
            List<String> skipped = readStrings(in);
            ImageDataset train = readPart(in, channels, size, classNames);
            ImageDataset val = readPart(in, channels, size, classNames);
            long crc = checked.getChecksum().getValue();
            return in.readLong() == crc ? new DataSplit(train, val, skipped) : null;
        } catch (IOException | RuntimeException damaged) {
            return null; // rebuilt and overwritten by the caller
        }
    }

    /** Stores the split; returns false (and leaves no partial file) when the cache directory is not writable. */
    boolean write(DataSplit split) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
            try (CheckedOutputStream checked = new CheckedOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), new CRC32());
                    DataOutputStream out = new DataOutputStream(checked)) {
                out.writeUTF(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(key);
                out.writeInt(split.train().channels());
                out.writeInt(split.train().height());
                writeStrings(out, split.train().classNames());
                writeStrings(out, split.skipped());
                writePart(out, split.train());
                writePart(out, split.test());
                out.writeLong(checked.getChecksum().getValue());
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // a stray .part file in the cache directory is harmless
            }
        }
    }

    private static void writePart(DataOutputStream out, ImageDataset part) throws IOException {
        out.writeInt(part.size());
        for (int i = 0; i < part.size(); i++) {
            out.writeInt(part.label(i));
        }
        out.write(part.images());
    }

    private static ImageDataset readPart(DataInputStream in, int channels, int size, List<String> classNames)
            throws IOException {
        int n = in.readInt();
        long bytes = (long) n * channels * size * size;
        if (n < 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new IOException("implausible image count " + n);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = in.readInt();
        }
        byte[] images = new byte[(int) bytes];
        in.readFully(images);
        return new ImageDataset(ImageFolder.NAME, images, labels, channels, size, size, classNames);
    }

    private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("implausible list length " + n);
        }
        List<String> strings = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(Checksums.sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
