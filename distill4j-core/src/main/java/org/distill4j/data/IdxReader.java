package org.distill4j.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads gzip'd IDX files, LeCun's MNIST format that Fashion-MNIST reuses: a big-endian magic number
 * 0x000008NN (0x08 = unsigned byte, NN = number of dimensions), then NN big-endian int32 sizes, then the data.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803; // uint8, 3 dims: (N, rows, cols)
    static final int LABELS_MAGIC = 0x00000801; // uint8, 1 dim: (N,)

    private IdxReader() {
    }

    /**
     * Reads an image file. {@code dimsOut}, if not null, receives {N, rows, cols}.
     *
     * @return (N, rows, cols) uint8, flattened
     */
    public static byte[] readImages(Path gz, int[] dimsOut) {
        Idx idx = read(gz, IMAGES_MAGIC, "images");
        if (dimsOut != null) {
            System.arraycopy(idx.dims(), 0, dimsOut, 0, Math.min(dimsOut.length, 3));
        }
        return idx.data();
    }

    /** Reads a label file: (N,) values 0..255. */
    public static int[] readLabels(Path gz) {
        byte[] data = read(gz, LABELS_MAGIC, "labels").data();
        int[] labels = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            labels[i] = data[i] & 0xFF;
        }
        return labels;
    }

    private record Idx(int[] dims, byte[] data) {
    }

    private static Idx read(Path gz, int expectedMagic, String kind) {
        String advice = " Delete it and run `distill4j data download fashion-mnist`";
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz), 1 << 16))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new DatasetException(gz + ": magic number 0x" + String.format("%08x", magic) + " but IDX "
                        + kind + " files start with 0x" + String.format("%08x", expectedMagic)
                        + "; wrong file, or not an IDX " + kind + " file." + advice);
            }
            int[] dims = new int[expectedMagic & 0xFF];
            long count = 1;
            for (int d = 0; d < dims.length; d++) {
                dims[d] = in.readInt();
                if (dims[d] < 0) {
                    throw new DatasetException(gz + ": dimension " + d + " is " + dims[d] + "; the file is corrupt." + advice);
                }
                count *= dims[d];
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new DatasetException(gz + ": header claims " + count + " bytes of data; the file is corrupt." + advice);
            }
            byte[] data = in.readNBytes((int) count);
            if (data.length != count) {
                throw new DatasetException(gz + ": truncated, the header promises " + count + " data bytes but only "
                        + data.length + " follow." + advice);
            }
            if (in.read() >= 0) {
                throw new DatasetException(gz + ": has bytes after the " + count + " the header promises; the file is"
                        + " corrupt or not IDX." + advice);
            }
            return new Idx(dims, data);
        } catch (NoSuchFileException e) {
            throw new DatasetException(gz + ": file not found." + advice, e);
        } catch (ZipException e) {
            throw new DatasetException(gz + ": not a valid gzip file (" + e.getMessage() + ")." + advice, e);
        } catch (EOFException e) {
            throw new DatasetException(gz + ": truncated, it ends before the data it announces." + advice, e);
        } catch (IOException e) {
            throw new DatasetException(gz + ": cannot be read (" + e.getMessage() + ")." + advice, e);
        }
    }
}
