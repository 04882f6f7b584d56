package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageDecoder} and {@link BoxFilter}: decoding, the box-filter resize, gray, alpha, and broken files. */
class FolderDecodeTest {
    private static final int[] QUADRANTS = {0xFF0000, 0x00FF00, 0x0000FF, 0xC08040}; // TL, TR, BL, BR

    @TempDir
    Path dir;

    /** Value of channel c at (x, y) of a (C, size, size) result. */
    private static int at(ImageDecoder.Decoded d, int size, int c, int x, int y) {
        return d.pixels()[(c * size + y) * size + x] & 0xFF;
    }

    private static int channel(int rgb, int c) {
        return (rgb >> (16 - 8 * c)) & 0xFF;
    }

    private static BufferedImage quadrants(int w, int h) {
        return TestFiles.rgb(w, h, (x, y) -> QUADRANTS[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)]);
    }

    @Test
    void aHeaderClaimingAHugeImageIsRefusedBeforeDecoding() throws IOException {
        Path file = TestFiles.writeImage(dir.resolve("bomb.png"), new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));
        byte[] png = Files.readAllBytes(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
        b.putInt(16, 100_000).putInt(20, 100_000); // IHDR width and height: 10^10 pixels
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17); // the chunk's type and data
        b.putInt(29, (int) crc.getValue());
        Files.write(file, png);
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.decode(file, 32));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void blocksOfConstantColourKeepTheirColoursExactlyWhenShrunk() throws IOException {
        // 64 -> 32 is a factor 2; 48 -> 32 a factor 1.5, where output pixels straddle source pixels.
        for (int side : new int[] {64, 48}) {
            Path file = TestFiles.writeImage(dir.resolve("q" + side + ".png"), quadrants(side, side));
            ImageDecoder.Decoded d = ImageDecoder.decode(file, 32);
            assertFalse(d.gray());
            assertEquals(3 * 32 * 32, d.pixels().length);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int expected = QUADRANTS[(y < 16 ? 0 : 2) + (x < 16 ? 0 : 1)];
                    for (int c = 0; c < 3; c++) {
                        assertEquals(channel(expected, c), at(d, 32, c, x, y), side + ": channel " + c + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    @Test
    void theWholeImageIsResizedWithoutCropping() throws IOException {
        // 64x16, left half red and right half blue: squashed to 32x32, the halves stay halves.
        Path file = TestFiles.writeImage(dir.resolve("wide.png"), TestFiles.rgb(64, 16, (x, y) -> x < 32 ? 0xFF0000 : 0x0000FF));
        ImageDecoder.Decoded d = ImageDecoder.decode(file, 32);
        for (int y : new int[] {0, 31}) {
            assertEquals(255, at(d, 32, 0, 0, y));
            assertEquals(255, at(d, 32, 0, 15, y));
            assertEquals(0, at(d, 32, 0, 16, y));
            assertEquals(255, at(d, 32, 2, 31, y));
        }
    }

    @Test
    void shrinkingAveragesEverySourcePixel() throws IOException {
        // A 1-pixel checkerboard of 0 and 255: point sampling would give 0 or 255, the box filter gives the mean.
        Path file = TestFiles.writeImage(dir.resolve("checker.png"), TestFiles.gray(64, 64, (x, y) -> (x + y) % 2 * 255));
        ImageDecoder.Decoded d = ImageDecoder.decode(file, 16);
        for (byte v : d.pixels()) {
            assertEquals(128, v & 0xFF); // 127.5 rounds up
        }
    }

    @Test
    void boxFilterWeightsAreTheOverlaps() {
        // 3 -> 2: output 0 covers [0, 1.5) = source 0 fully and half of source 1.
        double[] out = new double[2];
        new BoxFilter(3, 2).apply(new double[] {30, 60, 90}, 0, 1, out, 0, 1);
        assertArrayEquals(new double[] {40, 80}, out, 1e-9);
        // 2 -> 4 enlarges by repetition: each source pixel covers two outputs.
        double[] up = new double[4];
        new BoxFilter(2, 4).apply(new double[] {10, 20}, 0, 1, up, 0, 1);
        assertArrayEquals(new double[] {10, 10, 20, 20}, up, 1e-9);
    }

    @Test
    void grayImagesKeepTheirRawLevelsInOneChannel() throws IOException {
        // Java2D would treat TYPE_BYTE_GRAY as linear light and turn 100 into 168 on conversion to sRGB.
        Path png = TestFiles.writeImage(dir.resolve("g.png"), TestFiles.gray(20, 10, (x, y) -> 100));
        ImageDecoder.Decoded d = ImageDecoder.decode(png, 8);
        assertTrue(d.gray());
        assertEquals(64, d.pixels().length);
        for (byte v : d.pixels()) {
            assertEquals(100, v & 0xFF);
        }
        Path jpg = TestFiles.writeImage(dir.resolve("g.jpg"), TestFiles.gray(16, 16, (x, y) -> 100));
        ImageDecoder.Decoded j = ImageDecoder.decode(jpg, 8);
        assertTrue(j.gray());
        assertTrue(Math.abs((j.pixels()[27] & 0xFF) - 100) <= 2, "JPEG gray level " + (j.pixels()[27] & 0xFF));
    }

    @Test
    void sixteenBitGrayIsScaledToEightBits() throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.getRaster().setSample(x, y, 0, x < 4 ? 65535 : 128 * 257);
            }
        }
        ImageDecoder.Decoded d = ImageDecoder.decode(TestFiles.writeImage(dir.resolve("g16.png"), image), 8);
        assertTrue(d.gray());
        assertEquals(255, at(d, 8, 0, 0, 0));
        assertEquals(128, at(d, 8, 0, 7, 7));
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, 0x40C80A1E); // alpha 0x40 over (200, 10, 30)
            }
        }
        ImageDecoder.Decoded d = ImageDecoder.decode(TestFiles.writeImage(dir.resolve("a.png"), image), 8);
        assertFalse(d.gray());
        assertEquals(200, at(d, 8, 0, 3, 3));
        assertEquals(10, at(d, 8, 1, 3, 3));
        assertEquals(30, at(d, 8, 2, 3, 3));
    }

    @Test
    void aPaletteOfGraysIsGrayAndAColourPaletteIsColour() throws IOException {
        byte[] levels = {0, 90, (byte) 200, (byte) 255};
        BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY,
                new IndexColorModel(2, 4, levels, levels, levels));
        gray.getRaster().setSample(0, 0, 0, 2);
        ImageDecoder.Decoded g = ImageDecoder.decode(TestFiles.writeImage(dir.resolve("p.png"), gray), 8);
        assertTrue(g.gray());
        assertEquals(200, at(g, 8, 0, 0, 0));
        assertEquals(0, at(g, 8, 0, 1, 0));

        byte[] red = {0, (byte) 255};
        byte[] zero = {0, 0};
        BufferedImage colour = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, red, zero, zero));
        colour.getRaster().setSample(0, 0, 0, 1);
        ImageDecoder.Decoded c = ImageDecoder.decode(TestFiles.writeImage(dir.resolve("c.png"), colour), 8);
        assertFalse(c.gray());
        assertEquals(255, at(c, 8, 0, 0, 0));
    }

    @Test
    void truncatedJpegIsRefusedThoughImageIoOnlyWarns() throws IOException {
        Path file = dir.resolve("cut.jpg");
        Files.write(file, TestFiles.truncatedJpeg());
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.decode(file, 32));
        assertTrue(e.getMessage().startsWith("truncated"), e.getMessage());
    }

    @Test
    void nonImageContentIsRefusedWithAReason() throws IOException {
        Path file = dir.resolve("fake.png");
        Files.writeString(file, "not an image at all");
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.decode(file, 32));
        assertTrue(e.getMessage().contains("neither PNG nor JPEG"), e.getMessage());
        // A JPEG named .png is still a JPEG: the content decides, not the name.
        Path jpegNamedPng = TestFiles.writeImage(dir.resolve("x.jpg"), TestFiles.solid(8, 8, 0x808080));
        Path renamed = Files.move(jpegNamedPng, dir.resolve("really-a-jpeg.png"));
        assertEquals(3 * 64, ImageDecoder.decode(renamed, 8).pixels().length);
    }
}
