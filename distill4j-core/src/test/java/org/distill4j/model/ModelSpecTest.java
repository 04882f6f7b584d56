package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    void unknownNameFailsListingAllowedNames() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet101", 64, 10, 3));
        assertTrue(e.getMessage().contains("resnet101"), e.getMessage());
        for (String name : ModelSpec.NAMES) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec(null, 64, 10, 3));
    }

    @Test
    void outOfRangeNumbersFail() {
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet18", 0, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet18", 1025, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet18", 64, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet18", 64, 10, 0));
        new ModelSpec("resnet18", 1, 2, 1);
        new ModelSpec("resnet18", 1024, 2, 1);
    }

    @Test
    void derivedProperties() {
        ModelSpec r18 = new ModelSpec("resnet18", 64, 10, 3);
        assertEquals(18, r18.depth());
        assertFalse(r18.cbam());
        assertFalse(r18.bottleneck());
        ModelSpec r34c = new ModelSpec("resnet34-cbam", 64, 10, 3);
        assertEquals(34, r34c.depth());
        assertTrue(r34c.cbam());
        assertFalse(r34c.bottleneck());
        ModelSpec r50c = new ModelSpec("resnet50-cbam", 64, 10, 3);
        assertEquals(50, r50c.depth());
        assertTrue(r50c.cbam());
        assertTrue(r50c.bottleneck());
        assertFalse(new ModelSpec("resnet50", 64, 10, 3).cbam());
    }
}
