package org.distill4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One PNG or JPEG file as a model input: decoded and resized as {@link ImageFolder} does for training (the whole
 * image, box filter, no crop), then given the model's channel count: a gray file fed to a colour model is copied to
 * three planes, a colour file fed to a gray model becomes its luma, L = (299 R + 587 G + 114 B) / 1000 rounded, as
 * PIL's {@code convert("RGB")} and {@code convert("L")} do.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /**
     * @return (channels, size, size) uint8 samples
     * @throws DatasetException naming the file when it is missing or is not a PNG or JPEG that decodes completely
     */
    public static byte[] read(Path file, int size, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no such image file");
        }
        ImageDecoder.Decoded decoded;
        try {
            decoded = ImageDecoder.decode(file, size);
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(file + ": not a readable PNG or JPEG image (" + e.getMessage()
                    + "); pass a PNG or JPEG file", e);
        }
        byte[] out = new byte[channels * size * size];
        decoded.copyTo(channels, out, 0);
        return out;
    }
}
