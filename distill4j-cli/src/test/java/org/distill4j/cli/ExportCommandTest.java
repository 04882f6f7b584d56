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
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distill4j export} to ONNX and to a DJL directory; {@code predict} on each export gives the run's own
 * probabilities; bad paths are one line naming them.
 */
class ExportCommandTest {
    private static final int SIZE = 12;

    @TempDir
    Path dir;

    private Path saveRun() throws IOException {
        Path run = dir.resolve("run");
        List<String> names = IntStream.range(0, 6).mapToObj(c -> "class-" + c).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            SavedModel.save(run.resolve("model"), Models.createInitialized(new ModelSpec("resnet8", 0, 6, 3), m,
                    SIZE, SIZE), new SavedModel.Info("resnet8", 0, 6, 3, SIZE, SIZE, new float[] {0.5f, 0.4f, 0.3f},
                    new float[] {0.2f, 0.25f, 0.3f}, names, "synthetic"));
        }
        return run;
    }

    /** Random colour pictures at the model's own size, so every runtime sees the same pixels. */
    private List<String> images() throws IOException {
        Random rnd = new Random(3);
        String[] files = new String[3];
        for (int i = 0; i < files.length; i++) {
            BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    image.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            Path file = dir.resolve("img" + i + ".png");
            ImageIO.write(image, "png", file.toFile());
            files[i] = file.toString();
        }
        return List.of(files);
    }

    private JsonNode predict(Path model, List<String> images) throws IOException {
        String[] args = new String[images.size() + 3];
        args[0] = "predict";
        args[1] = model.toString();
        for (int i = 0; i < images.size(); i++) {
            args[2 + i] = images.get(i);
        }
        args[args.length - 1] = "--json";
        MainTest.Outcome o = MainTest.run(args);
        assertEquals(0, o.code(), o.err());
        return new ObjectMapper().readTree(o.out());
    }

    @Test
    void predictOnEachExportGivesTheRunsProbabilities() throws IOException {
        Path run = saveRun();
        List<String> images = images();
        Path onnx = dir.resolve("out/student.onnx");
        MainTest.Outcome o = MainTest.run("export", run.toString(), "--format", "onnx", "--out", onnx.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("ONNX file") && Files.size(onnx) > 10_000, o.out());
        Path djl = dir.resolve("student-djl");
        o = MainTest.run("export", run.toString(), "--format", "djl", "--out", djl.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(djl.resolve("serving.properties")), o.out());

        JsonNode want = predict(run, images);
        for (Path export : List.of(onnx, djl)) {
            JsonNode got = predict(export, images);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                JsonNode w = want.get(i).get("top5");
                JsonNode g = got.get(i).get("top5");
                for (int r = 0; r < 5; r++) {
                    assertEquals(w.get(r).get("class").asText(), g.get(r).get("class").asText(), export + " " + i);
                    assertEquals(w.get(r).get("probability").asDouble(), g.get(r).get("probability").asDouble(),
                            1e-5, export + " image " + i + " rank " + r);
                }
            }
        }
    }

    @Test
    void badPathsAreOneLineNamingThem() throws IOException {
        Path run = saveRun();
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path under = file.resolve("student.onnx");
        MainTest.Outcome o = MainTest.run("export", run.toString(), "--out", under.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().startsWith("error: cannot write " + under) && o.err().contains("writable --out")
                && o.err().lines().count() == 1, o.err());
        o = MainTest.run("export", run.toString(), "--out", dir.resolve("student.txt").toString());
        assertTrue(o.code() == 1 && o.err().contains("ends in .onnx"), o.err());
        o = MainTest.run("export", dir.resolve("missing").toString(), "--out", dir.resolve("s.onnx").toString());
        assertTrue(o.code() == 1 && o.err().contains("missing: no such run or model directory"), o.err());
        o = MainTest.run("export", run.toString(), "--format", "djl", "--out", dir.toString());
        assertTrue(o.code() == 1 && o.err().contains("not an exported model directory"), o.err());
    }
}
