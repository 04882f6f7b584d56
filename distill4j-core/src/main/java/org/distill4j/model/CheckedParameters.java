package org.distill4j.model;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a block's saved parameters only after checking every header in them against the block itself. DJL's
 * decoder trusts the file: it allocates whatever rank and byte count a header claims, and takes the shape it reads
 * for the parameter's. So a damaged or crafted checkpoint could exhaust memory or load a tensor of the wrong
 * shape. Here the block is first serialized as it is; a file of the same architecture has exactly that many bytes,
 * and the same bytes everywhere except inside the arrays' data. Only when that holds do DJL's readers see the file.
 */
public final class CheckedParameters {
    private static final byte[] ARRAY_MAGIC = {0, 4, 'N', 'D', 'A', 'R'}; // writeUTF("NDAR"), before every array

    private CheckedParameters() {}

    /**
     * Reads {@code block}'s parameter section from {@code in}, checks it and returns it for DJL to decode.
     *
     * @throws java.io.EOFException when the stream ends first and every header before its end was the block's (the
     *     file is truncated)
     * @throws MalformedModelException when a header differs from the block's (another architecture or width,
     *     damage, or a crafted file), naming the array
     */
    public static DataInputStream read(Block block, DataInputStream in) throws IOException, MalformedModelException {
        if (!block.isInitialized()) {
            return in; // nothing to compare with (DJL takes the shapes from the file); every loader here initializes
        }
        ByteArrayOutputStream own = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(own)) {
            block.saveParameters(out);
        }
        byte[] expected = own.toByteArray();
        List<long[]> data = dataRegions(expected);
        byte[] actual = in.readNBytes(expected.length);
        int from = 0;
        for (int i = 0; i <= data.size() && from < actual.length; i++) {
            int to = Math.min(i < data.size() ? (int) data.get(i)[0] : expected.length, actual.length);
            int at = mismatch(expected, actual, from, to);
            if (at >= 0) {
                throw new MalformedModelException("array " + (i + 1) + " of " + data.size() + " has a header (name, "
                        + "shape or size) other than this model's, at byte " + at + " of the parameters: the file is "
                        + "damaged, crafted, or saved from another architecture or width");
            }
            from = i < data.size() ? (int) data.get(i)[1] : to;
        }
        if (actual.length < expected.length) { // every header read so far was the model's: the file just ends
            throw new java.io.EOFException("the parameters end after " + actual.length + " of " + expected.length
                    + " bytes");
        }
        return new DataInputStream(new ByteArrayInputStream(actual));
    }

    /** First index in [from, to) where the arrays differ, or -1. */
    private static int mismatch(byte[] a, byte[] b, int from, int to) {
        int m = java.util.Arrays.mismatch(a, from, to, b, from, to);
        return m < 0 ? -1 : from + m;
    }

    /**
     * The [start, end) of every array's data in a serialization DJL just wrote, found by reading each array's header
     * (NDSerializer's encoding: magic, version, optional name, sparse format, data type, shape, layout, byte order,
     * length) from the first array magic after the previous array's data.
     */
    static List<long[]> dataRegions(byte[] bytes) {
        List<long[]> regions = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int cursor = 0;
        while (true) {
            int at = indexOf(bytes, ARRAY_MAGIC, cursor);
            if (at < 0) {
                return regions;
            }
            b.position(at + ARRAY_MAGIC.length);
            int version = b.getInt();
            if (version > 1 && b.get() == 1) {
                skipUtf(b);
            }
            skipUtf(b); // sparse format
            skipUtf(b); // data type
            int rank = b.getInt();
            b.position(b.position() + 8 * rank);
            int layout = b.getInt();
            b.position(b.position() + 2 * layout);
            if (version > 2) {
                b.get(); // byte order
            }
            int length = b.getInt();
            int start = b.position();
            regions.add(new long[] {start, (long) start + length});
            cursor = start + length;
        }
    }

    private static void skipUtf(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + len);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
