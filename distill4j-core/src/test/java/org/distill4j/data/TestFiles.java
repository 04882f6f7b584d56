package org.distill4j.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small files in the real on-disk formats, so readers are tested against bytes, not mocks. */
final class TestFiles {
    private TestFiles() {
    }

    /** Pixel p of record r in CIFAR file f: a pattern that differs per file, record and position. */
    static byte cifarPixel(int file, int record, int p) {
        return (byte) (file * 31 + record * 7 + p);
    }

    static int cifarLabel(int file, int record) {
        return (file + record) % 10;
    }

    /** Writes a CIFAR-10 binary batch: per record 1 label byte + 3072 pixel bytes. File 0..4 train, 5 test. */
    static void writeCifarBatch(Path path, int file, int records) throws IOException {
        byte[] bytes = new byte[records * CifarReader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int base = r * CifarReader.RECORD_BYTES;
            bytes[base] = (byte) cifarLabel(file, r);
            for (int p = 0; p < CifarReader.RECORD_PIXELS; p++) {
                bytes[base + 1 + p] = cifarPixel(file, r, p);
            }
        }
        Files.createDirectories(path.getParent());
        Files.write(path, bytes);
    }

    /** Five train batches of {@code trainRecords} and a test batch of {@code testRecords}, all in {@code dir}. */
    static void writeCifar(Path dir, int trainRecords, int testRecords) throws IOException {
        for (int f = 0; f < 5; f++) {
            writeCifarBatch(dir.resolve(CifarReader.TRAIN_FILES.get(f)), f, trainRecords);
        }
        writeCifarBatch(dir.resolve(CifarReader.TEST_FILE), 5, testRecords);
    }

    /** A gzip'd IDX file: magic, big-endian dims, then the bytes. */
    static void writeIdx(Path path, int magic, int[] dims, byte[] data) throws IOException {
        Files.createDirectories(path.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(path))) {
            out.write(idxBytes(magic, dims, data));
        }
    }

    static byte[] idxBytes(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** A minimal ustar archive of regular files (name -> content), ending with two zero blocks. */
    static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            out.write(tarHeader(e.getKey(), e.getValue().length, '0'));
            out.write(e.getValue());
            out.write(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    static byte[] tarHeader(String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, b.length);
    }

    /** A tiny data set with chosen pixels: (N, C, H, W) from a function of (n, c, y, x). */
    static ImageDataset dataset(int n, int c, int h, int w, int classes, PixelFunction f) {
        byte[] images = new byte[n * c * h * w];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        images[((i * c + ch) * h + y) * w + x] = (byte) f.value(i, ch, y, x);
                    }
                }
            }
        }
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(k -> "c" + k).toList();
        return new ImageDataset("test", images, labels, c, h, w, names);
    }

    @FunctionalInterface
    interface PixelFunction {
        int value(int n, int c, int y, int x);
    }
}
