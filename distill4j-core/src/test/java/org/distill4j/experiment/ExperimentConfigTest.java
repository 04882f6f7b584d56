package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.distill4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Study files name any model of the zoo, and your own images as {@code dataset: {folder: PATH}}. */
class ExperimentConfigTest {
    @TempDir
    Path dir;

    private ExperimentConfig load(String yaml) throws IOException {
        Path file = dir.resolve("study.yaml");
        Files.writeString(file, yaml);
        return ExperimentConfig.load(file);
    }

    @Test
    void folderDatasetIsResolvedAgainstTheFilesFolder() throws IOException {
        ExperimentConfig c = load("""
                name: mine
                teacher: {train: {model: wrn-16-2, dataset: {folder: images}, epochs: 1}}
                student: {model: shufflenetv2-0.5x, dataset: {folder: images}, imageSize: 48, valFraction: 0.2}
                seeds: [1]
                variants: [{name: kd, method: kd}]
                """);
        Path images = dir.resolve("images").normalize();
        assertEquals("folder", c.student().dataset());
        assertEquals(images.toString(), c.student().dataDir());
        assertEquals(48, c.student().imageSize().intValue());
        assertEquals(0.2, c.student().valFraction().doubleValue());
        assertEquals("folder", c.teacher().train().dataset());
        assertEquals(images.toString(), c.teacher().train().dataDir());
        assertEquals(0, c.student().width(), "a ShuffleNet carries its width in its name");
    }

    @Test
    void badDatasetMapsAndWidthsAreClearErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                name: bad
                teacher: {model: t}
                student: {model: resnet18, dataset: {imagenet: x}}
                seeds: [1]
                variants: []
                """));
        assertTrue(e.getMessage().contains("{folder: PATH}"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("""
                name: bad
                teacher: {model: t}
                student: {model: wrn-16-2, width: 16}
                seeds: [1]
                variants: []
                """));
        assertTrue(e.getMessage().contains("takes no width"), e.getMessage());
    }
}
