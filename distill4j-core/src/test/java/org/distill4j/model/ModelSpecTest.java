package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.distill4j.model.Architecture.Family;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    void unknownNamesFailSayingWhatIsAccepted() {
        for (String bad : new String[] {"resnet19", "resnet20-cbam", "wrn-17-2", "wrn-16-0", "vgg12", "shufflenetv2-3x",
            "mobilenetv2-9x", "resnet7x4", "ResNet18", "densenet"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new ModelSpec(bad, 0, 10, 3), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("wrn-D-K"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec(null, 64, 10, 3));
    }

    @Test
    void namesParseToTheirFamilyAndParameters() {
        assertEquals(new Architecture(Family.RESNET, 101, 1, 1, false), Architecture.parse("resnet101"));
        assertEquals(new Architecture(Family.RESNET, 50, 1, 1, true), Architecture.parse("resnet50-cbam"));
        assertEquals(new Architecture(Family.CIFAR_RESNET, 56, 1, 1, false), Architecture.parse("resnet56"));
        assertEquals(new Architecture(Family.CIFAR_RESNET, 32, 4, 1, false), Architecture.parse("resnet32x4"));
        assertEquals(new Architecture(Family.WRN, 28, 10, 1, false), Architecture.parse("wrn-28-10"));
        assertEquals(new Architecture(Family.VGG, 13, 1, 1, false), Architecture.parse("vgg13"));
        assertEquals(new Architecture(Family.MOBILENETV2, 0, 1, 0.5, false), Architecture.parse("mobile_half"));
        assertEquals(new Architecture(Family.MOBILENETV2, 0, 1, 0.75, false), Architecture.parse("mobilenetv2-0.75x"));
        assertEquals(new Architecture(Family.SHUFFLENETV2, 0, 1, 1.5, false), Architecture.parse("shufflenetv2-1.5x"));
        assertEquals(new Architecture(Family.SHUFFLENETV1, 0, 1, 1, false), Architecture.parse("shufflenetv1"));
        for (String name : ModelSpec.NAMES) {
            Architecture.parse(name);
        }
    }

    @Test
    void widthBelongsToTheSeedResNetsOnly() {
        assertEquals(64, new ModelSpec("resnet18", 0, 10, 3).width(), "0 means the paper's 64");
        assertEquals(16, new ModelSpec("resnet152", 16, 10, 3).width());
        assertEquals(0, new ModelSpec("wrn-16-2", 0, 10, 3).width());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new ModelSpec("wrn-16-2", 16, 10, 3));
        assertTrue(e.getMessage().contains("takes no width"), e.getMessage());
    }

    @Test
    void outOfRangeNumbersFail() {
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("resnet18", -1, 10, 3));
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
        assertFalse(new ModelSpec("resnet56", 0, 10, 3).bottleneck(), "CIFAR ResNets use basic blocks");
    }
}
