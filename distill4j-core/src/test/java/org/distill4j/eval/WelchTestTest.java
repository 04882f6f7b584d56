package org.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Welch's test and Holm's correction against SciPy (scripts/reference_statistics.py) and R's textbook values. */
class WelchTestTest {
    private static JsonNode reference() throws Exception {
        try (InputStream in = WelchTestTest.class.getResourceAsStream("/reference-statistics.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static void close(JsonNode c, String field, double actual) {
        close(c, field, actual, 1e-9);
    }

    private static void close(JsonNode c, String field, double actual, double tolerance) {
        double expected = c.get(field).asDouble();
        assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), c.get("name").asText() + " at level "
                + c.get("level").asDouble() + ": " + field);
    }

    @Test
    void matchesScipyOnEveryReferenceCase() throws Exception {
        JsonNode cases = reference().get("welch");
        assertTrue(cases.size() >= 12, "the reference file holds the cases");
        for (JsonNode c : cases) {
            WelchTest w = WelchTest.of(doubles(c.get("a")), doubles(c.get("b")), c.get("level").asDouble());
            close(c, "difference", w.difference());
            close(c, "standardError", w.standardError());
            close(c, "degreesOfFreedom", w.degreesOfFreedom());
            close(c, "t", w.t());
            close(c, "p", w.p());
            // Commons Math's t quantile and SciPy's agree to a few 1e-9: far below the two decimals reports print
            close(c, "low", w.low(), 1e-7);
            close(c, "high", w.high(), 1e-7);
            assertTrue(w.defined());
        }
    }

    @Test
    void aSideWithOneValueOrNoSpreadAnywhereHasADifferenceButNoTest() {
        WelchTest one = WelchTest.of(new double[] {80}, new double[] {78, 79, 77});
        assertEquals(2, one.difference(), 1e-12);
        assertFalse(one.defined());
        assertTrue(Double.isNaN(one.low()) && Double.isNaN(one.standardError()));

        WelchTest flat = WelchTest.of(new double[] {80, 80, 80}, new double[] {78, 78});
        assertEquals(2, flat.difference(), 1e-12);
        assertFalse(flat.defined(), "no spread on either side: no t distribution to read");

        assertTrue(Double.isNaN(WelchTest.of(new double[0], new double[] {1, 2}).difference()));
        assertThrows(IllegalArgumentException.class, () -> WelchTest.of(new double[] {1, 2}, new double[] {3, 4}, 1.0));
    }

    @Test
    void holmMatchesRsPAdjustAndTheReference() throws Exception {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") gives 0.03 0.06 0.06 0.02
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Holm.adjust(new double[] {0.01, 0.04, 0.03, 0.005}),
                1e-12);
        for (JsonNode c : reference().get("holm")) {
            assertArrayEquals(doubles(c.get("adjusted")), Holm.adjust(doubles(c.get("p"))), 1e-12, c.toString());
        }
    }

    @Test
    void holmLeavesMissingTestsOutOfTheFamily() {
        double[] a = Holm.adjust(new double[] {0.01, Double.NaN, 0.04});
        assertEquals(0.02, a[0], 1e-12, "m is 2, not 3");
        assertTrue(Double.isNaN(a[1]));
        assertEquals(0.04, a[2], 1e-12);
        assertEquals(1.0, Holm.adjust(new double[] {0.6, 0.7})[0], 1e-12, "capped at 1");
        assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {1.5}));
    }
}
