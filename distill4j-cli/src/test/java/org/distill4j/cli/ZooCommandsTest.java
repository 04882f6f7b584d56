package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code models}, and training any model of the zoo on your own image folder, from the command line. */
class ZooCommandsTest {

    @Test
    void modelsMeasuresEachRow(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("models.json");
        MainTest.Outcome o = MainTest.run("models", "--models", "resnet8,wrn-16-1,shufflenetv2-0.5x", "--runs", "3",
                "--json", json.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("wrn-16-1") && o.out().contains("78,042"), o.out());
        JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("models");
        assertEquals(3, rows.size());
        // resnet8's 10-class count from RepDistiller's definition (reference-models.json)
        assertEquals("resnet8", rows.get(0).get("name").asText());
        assertEquals(78_042, rows.get(0).get("params").asLong());
        assertEquals(0.02501, rows.get(0).get("gflops").asDouble(), 1e-5);
        for (JsonNode r : rows) {
            assertTrue(r.get("sizeBytes").asLong() > 4 * r.get("params").asLong(), r.toString());
            assertTrue(r.get("latencyMs").asDouble() > 0, r.toString());
        }
        assertEquals(3, rows.get(1).get("stages").size());

        o = MainTest.run("models", "--models", "resnet19");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("unknown model name 'resnet19'"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void trainsAZooModelOnAnImageFolder(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        for (String cls : new String[] {"cats", "dogs"}) {
            Files.createDirectories(images.resolve("train").resolve(cls));
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < 40; x++) {
                        img.setRGB(x, y, cls.equals("cats") ? (x * 6) << 16 | i : (y * 8) << 8 | i);
                    }
                }
                ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", images.resolve("train").resolve(cls)
                        .resolve(i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
            }
        }
        Path out = dir.resolve("run");
        String home = System.getProperty("user.home");
        System.setProperty("user.home", dir.resolve("home").toString()); // the decode cache goes under ~
        MainTest.Outcome o;
        try {
            o = MainTest.run("train", "--model", "shufflenetv2-0.5x", "--dataset", "folder", "--data-dir",
                    images.toString(), "--image-size", "16", "--val-fraction", "0.25", "--epochs", "1", "--batch-size",
                    "6", "--out", out.toString());
        } finally {
            System.setProperty("user.home", home);
        }
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isDirectory(dir.resolve("home/.distill4j/cache/folders")), "decoded once into the cache");
        JsonNode model = new ObjectMapper().readTree(out.resolve("model").resolve("model.json").toFile());
        assertEquals("[\"cats\",\"dogs\"]", model.get("classNames").toString());
        assertEquals(16, model.get("height").asInt());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals("folder", metrics.get("dataset").asText());
        assertEquals(18, metrics.get("trainImages").asInt(), "a quarter of each class held out");
        assertEquals(6, metrics.get("testImages").asInt());
    }
}
