package org.distill4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one PNG or JPEG with javax.imageio and resizes the whole image (no crop, so the aspect ratio is not kept)
 * to size x size with a {@link BoxFilter} across and down. Values are the file's own 8-bit samples: no gamma or
 * colour management beyond what {@link BufferedImage#getRGB} does for unusual colour spaces, as PIL's
 * {@code convert("RGB")} does. Alpha is dropped, also as PIL does, not composited. EXIF orientation is ignored.
 * Thread-safe: each call uses its own reader.
 */
final class ImageDecoder {
    /**
     * @param pixels (C, size, size) uint8
     * @param gray   true when the file stores gray levels only (C = 1), false for colour (C = 3)
     */
    record Decoded(byte[] pixels, boolean gray) {
        /**
         * Writes the image as {@code channels} planes at {@code offset}: a gray image fed to C = 3 is copied to all
         * three (PIL's {@code convert("RGB")}), a colour one fed to C = 1 becomes its luma,
         * L = (299 R + 587 G + 114 B) / 1000 rounded (PIL's {@code convert("L")}).
         */
        void copyTo(int channels, byte[] dest, int offset) {
            int plane = gray ? pixels.length : pixels.length / 3;
            if (channels == 1 && !gray) {
                for (int p = 0; p < plane; p++) {
                    int r = pixels[p] & 0xff;
                    int g = pixels[plane + p] & 0xff;
                    int b = pixels[2 * plane + p] & 0xff;
                    dest[offset + p] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
                }
                return;
            }
            for (int c = 0; c < channels; c++) {
                System.arraycopy(pixels, gray ? 0 : c * plane, dest, offset + c * plane, plane);
            }
        }
    }

    private ImageDecoder() {
    }

    /** The largest image decoded (a 8000 x 8000 photograph); a larger header is refused before allocating. */
    static final long MAX_PIXELS = 64_000_000;

    /** @throws IOException saying why when the file is not a PNG or JPEG ImageIO can decode completely */
    static Decoded decode(Path file, int size) throws IOException {
        BufferedImage image = read(file);
        boolean gray = isGray(image);
        return new Decoded(resize(image, gray, size), gray);
    }

    private static BufferedImage read(Path file) throws IOException {
        if (Files.size(file) == 0) {
            throw new IOException("the file is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot be opened");
            }
            ImageReader reader = pngOrJpegReader(in);
            try {
                reader.setInput(in, true, true);
                List<String> truncated = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (isTruncation(warning)) {
                        truncated.add(warning);
                    }
                });
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) { // checked on the header, before the decoder allocates them
                    throw new IOException("its header claims " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, more than the " + MAX_PIXELS / 1_000_000 + " million distill4j decodes; "
                            + "shrink the image (it is resized to a few dozen pixels anyway) or leave it out");
                }
                BufferedImage image = reader.read(0);
                if (!truncated.isEmpty()) {
                    throw new IOException("truncated: " + truncated.get(0));
                }
                return image;
            } catch (RuntimeException e) {
                // Some decoders throw unchecked exceptions on malformed data (a bad Huffman table, a huge dimension).
                throw new IOException(e.toString(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImageReader pngOrJpegReader(ImageInputStream in) throws IOException {
        // Only PNG and JPEG: ImageIO's WBMP reader would accept many a stray binary file as an image.
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
            ImageReader reader = it.next();
            for (String format : reader.getOriginatingProvider().getFormatNames()) {
                String f = format.toLowerCase(Locale.ROOT);
                if (f.equals("png") || f.equals("jpeg")) {
                    return reader;
                }
            }
            reader.dispose();
        }
        throw new IOException("its content is neither PNG nor JPEG");
    }

    /**
     * ImageIO decodes a truncated JPEG without an exception, filling the missing part with gray, and only warns.
     * PIL refuses such files, and so do we; other warnings (e.g. extraneous bytes before a marker) are harmless.
     */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end");
    }

    /** Gray when the file stores one gray sample per pixel, or a palette whose every entry is gray. */
    static boolean isGray(BufferedImage image) {
        if (image.getColorModel() instanceof IndexColorModel palette) {
            for (int i = 0; i < palette.getMapSize(); i++) {
                if (palette.getRed(i) != palette.getGreen(i) || palette.getRed(i) != palette.getBlue(i)) {
                    return false;
                }
            }
            return true;
        }
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /** (C, size, size) uint8: each source row resampled across into (C, H, size), then each column down. */
    private static byte[] resize(BufferedImage image, boolean gray, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        int channels = gray ? 1 : 3;
        BoxFilter across = new BoxFilter(w, size);
        BoxFilter down = new BoxFilter(h, size);
        double[][] row = new double[channels][w];
        double[][] rows = new double[channels][h * size]; // (C, H, size)
        RowReader reader = new RowReader(image, channels);
        for (int y = 0; y < h; y++) {
            reader.read(y, row);
            for (int c = 0; c < channels; c++) {
                across.apply(row[c], 0, 1, rows[c], y * size, 1);
            }
        }
        byte[] out = new byte[channels * size * size];
        double[] plane = new double[size * size];
        for (int c = 0; c < channels; c++) {
            for (int x = 0; x < size; x++) {
                down.apply(rows[c], x, size, plane, x, size);
            }
            for (int p = 0; p < plane.length; p++) {
                out[c * plane.length + p] = (byte) Math.max(0, Math.min(255, Math.round(plane[p])));
            }
        }
        return out;
    }

    /**
     * Reads one source row as C planes of values in [0, 255]. Samples come straight from the raster when they are
     * plain sRGB or gray components (fast, and no gamma: Java2D would treat gray as linear and brighten it); any other
     * colour model goes through getRGB, which converts to sRGB. Alpha and any extra band are never read.
     */
    private static final class RowReader {
        private final BufferedImage image;
        private final int channels;
        private final boolean fromRaster;
        private final double[] scale; // per band: 255 / (2^bits - 1)
        private final int[] buffer;

        RowReader(BufferedImage image, int channels) {
            this.image = image;
            this.channels = channels;
            ColorSpace space = image.getColorModel().getColorSpace();
            this.fromRaster = image.getColorModel() instanceof ComponentColorModel
                    && (space.isCS_sRGB() || space.getType() == ColorSpace.TYPE_GRAY);
            this.scale = new double[channels];
            for (int c = 0; fromRaster && c < channels; c++) {
                scale[c] = 255.0 / ((1L << image.getSampleModel().getSampleSize(c)) - 1); // 16-bit PNGs too
            }
            this.buffer = new int[image.getWidth()];
        }

        void read(int y, double[][] out) {
            int w = buffer.length;
            if (fromRaster) {
                for (int c = 0; c < channels; c++) {
                    image.getRaster().getSamples(0, y, w, 1, c, buffer);
                    for (int x = 0; x < w; x++) {
                        out[c][x] = buffer[x] * scale[c];
                    }
                }
                return;
            }
            image.getRGB(0, y, w, 1, buffer, 0, w);
            for (int c = 0; c < channels; c++) {
                int shift = 16 - 8 * c; // ARGB: red, green, blue
                for (int x = 0; x < w; x++) {
                    out[c][x] = (buffer[x] >> shift) & 0xFF;
                }
            }
        }
    }
}
