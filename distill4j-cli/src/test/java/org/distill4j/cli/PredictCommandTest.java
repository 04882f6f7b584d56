package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill4j predict}: top-5 per image as text and as JSON; bad input is one line naming the file. */
class PredictCommandTest {
    @TempDir
    Path dir;

    private Path saveModel() throws IOException {
        Path run = dir.resolve("run");
        List<String> names = IntStream.range(0, 10).mapToObj(c -> "class-" + c).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            SavedModel.save(run.resolve("model"), Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), m,
                    12, 12), new SavedModel.Info("resnet18", 4, 10, 3, 12, 12, new float[] {0.5f, 0.5f, 0.5f},
                    new float[] {0.2f, 0.2f, 0.2f}, names, "synthetic"));
        }
        return run;
    }

    private Path image(String name, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, x < 20 ? rgb : 0x203040);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, name.endsWith(".png") ? "png" : "jpeg", file.toFile());
        return file;
    }

    @Test
    void printsTheTopFiveAsTextAndAsJson() throws IOException {
        Path run = saveModel();
        Path a = image("a.png", 0xff8000);
        Path b = image("b.jpg", 0x00ff00);
        MainTest.Outcome json = MainTest.run("predict", run.toString(), a.toString(), b.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode list = new ObjectMapper().readTree(json.out());
        assertEquals(2, list.size());
        assertEquals(a.toString(), list.get(0).get("image").asText());
        assertEquals(b.toString(), list.get(1).get("image").asText());
        for (JsonNode one : list) {
            JsonNode top = one.get("top5");
            assertEquals(5, top.size());
            double previous = 1;
            double sum = 0;
            for (JsonNode r : top) {
                assertTrue(r.get("class").asText().startsWith("class-"));
                double p = r.get("probability").asDouble();
                assertTrue(p > 0 && p <= previous, "ranked");
                previous = p;
                sum += p;
            }
            assertTrue(sum <= 1 + 1e-6);
        }
        MainTest.Outcome text = MainTest.run("predict", run.resolve("model").toString(), a.toString());
        assertEquals(0, text.code(), text.err());
        String first = list.get(0).get("top5").get(0).get("class").asText();
        assertTrue(text.out().startsWith(a + "\n") && text.out().contains("%  " + first + "\n"), text.out());
        assertEquals(6, text.out().lines().count());
    }

    @Test
    void badInputIsOneLineNamingTheFile() throws IOException {
        Path run = saveModel();
        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        MainTest.Outcome o = MainTest.run("predict", run.toString(), broken.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().startsWith("error: " + broken) && o.err().lines().count() == 1, o.err());
        o = MainTest.run("predict", dir.resolve("nowhere").toString(), broken.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("nowhere") && o.err().contains("no such run directory, model directory or ONNX"),
                o.err());
        o = MainTest.run("predict", dir.toString(), broken.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("no trained model here"), o.err());
        Path fake = Files.writeString(dir.resolve("student.onnx"), "not a model");
        o = MainTest.run("predict", fake.toString(), broken.toString());
        assertTrue(o.code() == 1 && o.err().startsWith("error: " + fake + ": not an ONNX model")
                && o.err().lines().count() == 1, o.err());
    }
}
