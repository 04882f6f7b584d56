package org.distill4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.distill4j.run.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {

    @Test
    void defaultsAreTheSeedRecipe() {
        TrainConfig c = TrainConfig.defaults();
        assertEquals(0.1, c.lr());
        assertEquals(0.9, c.momentum());
        assertEquals(5e-4, c.weightDecay());
        assertEquals(128, c.batchSize());
        assertEquals(200, c.epochs());
        assertEquals("cosine", c.schedule());
    }

    @Test
    void overridesChangeOnlyWhatIsGiven() {
        TrainConfig c = Overrides.apply(TrainConfig.defaults(), Map.of("width", 16, "epochs", 3));
        assertEquals(16, c.width());
        assertEquals(3, c.epochs());
        assertEquals(0.1, c.lr());
        assertEquals(Map.of("width", 16, "epochs", 3).keySet(), Overrides.differences(TrainConfig.defaults(), c).keySet());
    }

    @Test
    void unknownKeyNamesTheKeyAndTheAllowedOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("learningRate", 0.1)));
        assertTrue(e.getMessage().contains("'learningRate'"), e.getMessage());
        assertTrue(e.getMessage().contains("lr"), e.getMessage());
    }

    @Test
    void outOfRangeValuesNameTheKeyAndTheRange() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("width", -1)));
        assertTrue(e.getMessage().contains("'width'") && e.getMessage().contains("[1, 1024]"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("model", "wrn-16-2", "width", 16)));
        assertTrue(e.getMessage().contains("'width'") && e.getMessage().contains("takes no width"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet19")));
        assertTrue(e.getMessage().contains("'model'") && e.getMessage().contains("wrn-D-K"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Overrides.apply(TrainConfig.defaults(), Map.of("imageSize", 4)));
        assertTrue(e.getMessage().contains("'imageSize'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Overrides.apply(TrainConfig.defaults(), Map.of("labels", "coarse")));
        assertTrue(e.getMessage().contains("cifar100"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Overrides.apply(TrainConfig.defaults(), Map.of("dataset", "folder")));
        assertTrue(e.getMessage().contains("'dataDir'") && e.getMessage().contains("train/CLASS"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("schedule", "linear")));
        assertTrue(e.getMessage().contains("cosine"), e.getMessage());
        assertThrows(ConfigException.class, () -> Overrides.apply(TrainConfig.defaults(), Map.of("lr", -1.0)));
        assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("epochs", 10, "milestones", List.of(20))));
        e = assertThrows(ConfigException.class,
                () -> Overrides.apply(TrainConfig.defaults(), Map.of("width", "wide")));
        assertTrue(e.getMessage().contains("wide"), e.getMessage());
    }

    /** A run's config.yaml written before the data-set options existed reads as the same run, with their defaults. */
    @Test
    void configWrittenBeforeTheDataOptionsStillReads(@TempDir Path dir) throws Exception {
        TrainConfig c = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet50-cbam", "width", 16));
        Path file = dir.resolve("config.yaml");
        String yaml = Json.toYaml(c);
        for (String key : List.of("imageSize", "labels", "skipUnreadable", "valFraction")) {
            assertTrue(yaml.contains(key + ":"), yaml);
            yaml = yaml.replaceAll("(?m)^" + key + ":.*\\n", "");
        }
        assertFalse(yaml.contains("imageSize") || yaml.contains("valFraction"), yaml);
        Files.writeString(file, yaml);
        assertEquals(c, Json.readYaml(file, TrainConfig.class));
        // and the shipped teacher's, from before the zoo
        Path shipped = Path.of("..", "teachers", "fashion-mnist-resnet50-cbam-w16", "config.yaml");
        assertEquals(16, Json.readYaml(shipped, TrainConfig.class).width());
    }

    @Test
    void yamlRoundTripAndUnknownKeysInFiles(@TempDir Path dir) throws Exception {
        TrainConfig c = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet50-cbam", "seed", 7L));
        Path file = dir.resolve("config.yaml");
        Json.writeYaml(file, c);
        assertEquals(c, Json.readYaml(file, TrainConfig.class));

        Files.writeString(file, Json.toYaml(c) + "colour: blue\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.readYaml(file, TrainConfig.class));
        assertTrue(e.getMessage().contains("'colour'") && e.getMessage().contains(file.toString()), e.getMessage());
    }
}
