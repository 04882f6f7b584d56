package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Java's float16 conversions against libtorch's own cast, which the bank's precision claims rest on. */
class HalfTest {

    @Test
    void everyHalfSurvivesTheRoundTripThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = Half.toFloat(h);
            if (Float.isNaN(f)) {
                assertEquals(0x7C00, bits & 0x7C00, "only all-ones exponents are NaN");
                continue;
            }
            assertEquals(h, Half.fromFloat(f), "half 0x" + Integer.toHexString(bits));
        }
        assertEquals(65504f, Half.toFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Half.toFloat((short) 1));
    }

    @Test
    void floatToHalfRoundsAsLibtorchDoes() {
        SplittableRandom random = new SplittableRandom(1);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) {
            // magnitudes from below the smallest subnormal (2^-24) to above the largest half (65504)
            double exponent = -28 + 46 * random.nextDouble();
            values[i] = (float) ((random.nextBoolean() ? 1 : -1) * Math.pow(2, exponent));
        }
        values[0] = 1 + 0x1p-11f; // exactly halfway between two halves: ties to even (down)
        values[1] = 1 + 3 * 0x1p-11f; // halfway, rounds up to even
        values[2] = 65520f; // halfway to the next power of two: infinity
        values[3] = 0x1p-25f; // half the smallest subnormal: ties to zero
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray half = manager.create(values).toType(DataType.FLOAT16, false);
            ShortBuffer expected = half.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
            for (int i = 0; i < values.length; i++) {
                assertEquals(expected.get(i), Half.fromFloat(values[i]), "float " + values[i]);
            }
        }
    }
}
