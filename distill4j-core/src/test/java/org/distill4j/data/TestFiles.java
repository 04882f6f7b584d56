package org.distill4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Writes small files in the real on-disk formats, so readers are tested against bytes, not mocks. */
final class TestFiles {
    private TestFiles() {
    }

    /** Pixel p of record r in CIFAR file f: a pattern that differs per file, record and position. */
    static byte cifarPixel(int file, int record, int p) {
        return (byte) (file * 31 + record * 7 + p);
    }

    /** CIFAR-10's label of record r in file f. */
    static int cifarLabel(int file, int record) {
        return cifarLabel(CifarFormat.CIFAR10, 0, file, record);
    }

    /** The label byte {@code field} of record r in file f, within the field's class count. */
    static int cifarLabel(CifarFormat format, int field, int file, int record) {
        return (file + record * (field + 1) + 3 * field) % format.labels().get(field).classes();
    }

    /** Writes a CIFAR binary file: per record the label bytes then 3072 pixel bytes. */
    static void writeCifarFile(CifarFormat format, Path path, int file, int records) throws IOException {
        int labelBytes = format.labels().size();
        byte[] bytes = new byte[records * format.recordBytes()];
        for (int r = 0; r < records; r++) {
            int base = r * format.recordBytes();
            for (int b = 0; b < labelBytes; b++) {
                bytes[base + b] = (byte) cifarLabel(format, b, file, r);
            }
            for (int p = 0; p < CifarFormat.PIXELS; p++) {
                bytes[base + labelBytes + p] = cifarPixel(file, r, p);
            }
        }
        Files.createDirectories(path.getParent());
        Files.write(path, bytes);
    }

    /** CIFAR-10's five train batches of {@code trainRecords} and its test batch of {@code testRecords}, in {@code dir}. */
    static void writeCifar(Path dir, int trainRecords, int testRecords) throws IOException {
        writeCifar(CifarFormat.CIFAR10, dir, trainRecords, testRecords);
    }

    /** Every train file (file index 0, 1, ...) with {@code trainRecords} each, then the test file (the next index). */
    static void writeCifar(CifarFormat format, Path dir, int trainRecords, int testRecords) throws IOException {
        List<String> train = format.trainFiles();
        for (int f = 0; f < train.size(); f++) {
            writeCifarFile(format, dir.resolve(train.get(f)), f, trainRecords);
        }
        writeCifarFile(format, dir.resolve(format.testFile()), train.size(), testRecords);
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

    /** Writes an image as PNG or JPEG, by the file's extension, creating folders as needed. */
    static Path writeImage(Path file, BufferedImage image) throws IOException {
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String format = name.endsWith(".png") ? "png" : "jpeg";
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IOException("no " + format + " writer for " + image);
        }
        return file;
    }

    /** A colour image whose pixel (x, y) is {@code rgb.applyAsInt(x, y)} as 0xRRGGBB. */
    static BufferedImage rgb(int w, int h, IntBinaryOperator rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return image;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        return rgb(w, h, (x, y) -> rgb);
    }

    /** An 8-bit grayscale image whose pixel (x, y) is {@code level.applyAsInt(x, y)}, written as raw samples. */
    static BufferedImage gray(int w, int h, IntBinaryOperator level) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, level.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** A JPEG of noise (so its data segment is long) cut off at 60%: ImageIO decodes such files with only a warning. */
    static byte[] truncatedJpeg() throws IOException {
        java.util.Random random = new java.util.Random(1);
        BufferedImage noise = rgb(128, 128, (x, y) -> random.nextInt(0x1000000));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(noise, "jpeg", bytes);
        return java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() * 6 / 10);
    }

    /** The sorted names in a directory; empty when it does not exist. */
    static List<String> listNames(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
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
