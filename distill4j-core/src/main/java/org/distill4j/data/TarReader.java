package org.distill4j.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Extracts the regular files of a tar stream (ustar, plus GNU long names), which is all cifar-10-binary.tar.gz
 * holds; written here to avoid a compression library for one archive. Links, devices and other entry types are
 * skipped. Entry names that would land outside the target directory ("../x", "/etc/x") are refused.
 */
final class TarReader {
    private static final int BLOCK = 512;

    private TarReader() {
    }

    /** More than any dataset archive distill4j reads unpacks to (CIFAR's binary versions: about 180 MB). */
    static final long MAX_TOTAL_BYTES = 1L << 30;

    /** Extracts into {@code targetDir}; {@code source} names the archive in error messages. Returns files written. */
    static int extract(InputStream in, Path targetDir, String source) throws IOException {
        return extract(in, targetDir, source, MAX_TOTAL_BYTES);
    }

    /**
     * As {@link #extract(InputStream, Path, String)}, refusing an archive whose entries add up to more than
     * {@code maxBytes} (checked on each header, before its data is written), so a hostile archive cannot fill the disk.
     */
    static int extract(InputStream in, Path targetDir, String source, long maxBytes) throws IOException {
        Path root = targetDir.toAbsolutePath().normalize();
        long total = 0;
        byte[] header = new byte[BLOCK];
        String longName = null;
        int files = 0;
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0) {
                return files; // some writers omit the two zero blocks at the end
            }
            if (n != BLOCK) {
                throw new EOFException(source + ": tar archive ends in the middle of a header");
            }
            if (isZero(header)) {
                return files; // end-of-archive marker
            }
            checkChecksum(header, source);
            long size = parseOctal(header, 124, 12, source);
            total += size;
            if (size < 0 || total > maxBytes) {
                throw new DatasetException(source + ": the archive's entries add up to more than " + maxBytes
                        + " bytes, more than the dataset it should hold; it is corrupt or malicious. Delete it and "
                        + "download it again");
            }
            char type = (char) header[156];
            String name = longName != null ? longName : entryName(header);
            longName = null;
            if (type == 'L') { // GNU long name: the data is the next entry's name
                longName = new String(readData(in, size, source), StandardCharsets.UTF_8).replace("\0", "");
            } else if (type == '0' || type == '\0') {
                Path out = resolveSafely(root, name, source);
                Files.createDirectories(out.getParent());
                try (OutputStream os = Files.newOutputStream(out)) {
                    copy(in, os, size, source);
                }
                skipPadding(in, size);
                files++;
            } else {
                readData(in, size, source); // directories, links, pax headers: nothing to write
            }
        }
    }

    static Path resolveSafely(Path root, String name, String source) {
        Path out = root.resolve(name).normalize();
        if (name.isEmpty() || name.startsWith("/") || !out.startsWith(root) || out.equals(root)) {
            throw new DatasetException(source + ": tar entry '" + name + "' would be written outside " + root
                    + "; the archive is corrupt or malicious. Delete it and download it again");
        }
        return out;
    }

    private static String entryName(byte[] h) {
        String name = field(h, 0, 100);
        String prefix = "ustar".equals(field(h, 257, 5)) ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] h, int offset, int length, String source) {
        if ((h[offset] & 0x80) != 0) { // GNU base-256 for sizes over 8 GB
            long v = h[offset] & 0x7F;
            for (int i = offset + 1; i < offset + length; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
        String s = field(h, offset, length).strip();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new DatasetException(source + ": tar header field '" + s + "' is not an octal number; the archive"
                    + " is corrupt. Delete it and download it again");
        }
    }

    private static void checkChecksum(byte[] h, String source) {
        long stored = parseOctal(h, 148, 8, source);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        if (sum != stored) {
            throw new DatasetException(source + ": tar header checksum " + stored + " does not match " + sum
                    + "; the archive is corrupt. Delete it and download it again");
        }
    }

    private static byte[] readData(InputStream in, long size, String source) throws IOException {
        if (size > (1 << 20)) {
            in.skipNBytes(size); // large non-file entries are skipped, never held in memory
            skipPadding(in, size);
            return new byte[0];
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException(source + ": tar archive ends inside an entry");
        }
        skipPadding(in, size);
        return data;
    }

    private static void copy(InputStream in, OutputStream out, long size, String source) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (long left = size; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException(source + ": tar archive ends inside an entry");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        in.skipNBytes(pad);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
