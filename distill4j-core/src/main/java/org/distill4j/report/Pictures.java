package org.distill4j.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.distill4j.data.ImageDataset;

/** Small drawing helpers shared by the report's figures: headless AWT, a test image as a picture, PNG bytes. */
final class Pictures {
    static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font BOLD = TEXT.deriveFont(Font.BOLD);

    private Pictures() {}

    /** Reports are drawn on servers and in CI: never ask AWT for a display. */

    /** A white canvas; the caller disposes the graphics. */
    static BufferedImage canvas(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Graphics with anti-aliased text in {@link #TEXT}, black. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setFont(TEXT);
        g.setColor(Color.BLACK);
        return g;
    }

    /** Draws text centred horizontally on x, baseline at y. */
    static void centred(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }

    /** Makes the current font smaller, down to 8 points, until {@code text} is at most {@code width} pixels wide. */
    static void shrinkToFit(Graphics2D g, String text, int width) {
        while (g.getFontMetrics().stringWidth(text) > width && g.getFont().getSize2D() > 8) {
            g.setFont(g.getFont().deriveFont(g.getFont().getSize2D() - 1));
        }
    }

    /**
     * Record {@code index} of a data set as a picture, each pixel a scale x scale block (nearest neighbour, so the
     * reader sees the pixels the network saw): grey for one channel, RGB for three (other counts: the first channel).
     */
    static BufferedImage image(ImageDataset data, int index, int scale) {
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        byte[] pixels = data.images(); // (N, C, H, W) uint8
        int base = index * c * h * w;
        BufferedImage image = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int p = base + (y / scale) * w + x / scale;
                int r = pixels[p] & 0xFF;
                int gr = c == 3 ? pixels[p + h * w] & 0xFF : r;
                int b = c == 3 ? pixels[p + 2 * h * w] & 0xFF : r;
                image.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return image;
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return out.toByteArray();
    }
}
