package org.distill4j.distill;

/**
 * IEEE 754 binary16 conversions (Java 17 has none: {@code Float.floatToFloat16} arrived in Java 20). Rounding is
 * to nearest, ties to even, as in libtorch's {@code .half()}; values beyond +-65504 become infinities.
 */
final class Half {
    private Half() {}

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) { // infinity, or NaN (kept quiet and non-zero)
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int e = exponent - 127 + 15; // rebiased exponent
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00); // too large: infinity
        }
        if (e <= 0) { // a half subnormal, or zero: value = m * 2^-24
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal
            }
            int m = mantissa | 0x800000; // the implicit leading 1
            int shift = 14 - e;
            return (short) (sign | roundShift(m, shift));
        }
        // a carry out of the mantissa increments the exponent, which is the right answer (up to infinity)
        return (short) (sign | ((e << 10) + roundShift(mantissa, 13)));
    }

    /** value >> shift, rounded to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }

    static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) { // zero or subnormal: exact in float
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
