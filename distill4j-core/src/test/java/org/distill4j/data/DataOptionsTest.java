package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DataOptionsTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(new DataOptions(32, "fine", false, 0.1), DataOptions.defaults());
    }

    @Test
    void limitsAreInclusiveWhereDocumented() {
        new DataOptions(8, "coarse", true, 0.9);
        new DataOptions(1024, "fine", false, 1e-6);
    }

    @Test
    void outOfRangeValuesNameTheOptionAndTheRange() {
        assertMessage(() -> new DataOptions(7, "fine", false, 0.1), "imageSize must be in 8..1024, got 7");
        assertMessage(() -> new DataOptions(1025, "fine", false, 0.1), "imageSize must be in 8..1024, got 1025");
        assertMessage(() -> new DataOptions(32, "Fine", false, 0.1), "labels must be one of fine, coarse, got 'Fine'");
        assertMessage(() -> new DataOptions(32, null, false, 0.1), "labels must be one of fine, coarse, got 'null'");
        assertMessage(() -> new DataOptions(32, "fine", false, 0), "valFraction must be in (0, 0.9], got 0.0");
        assertMessage(() -> new DataOptions(32, "fine", false, 0.91), "valFraction must be in (0, 0.9], got 0.91");
        assertMessage(() -> new DataOptions(32, "fine", false, Double.NaN), "valFraction must be in (0, 0.9], got NaN");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable make, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
