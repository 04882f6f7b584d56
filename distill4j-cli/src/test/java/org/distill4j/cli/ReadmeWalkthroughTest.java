package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.distill4j.eval.Metrics;
import org.distill4j.run.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's "Bring your own PyTorch teacher" commands as they are written there (the block between
 * {@code <!-- walkthrough -->} and {@code <!-- /walkthrough -->}), with the repository's files found from this
 * module and {@code runs/} in a temporary folder: the shipped PyTorch teacher teaches a student, which is
 * exported to ONNX and DJL, and both exports classify the shipped images.
 */
class ReadmeWalkthroughTest {
    private static final Path ROOT = Path.of("..");

    @TempDir
    Path tmp;

    /** The walkthrough's commands, continuation lines joined, each split into its arguments. */
    static List<List<String>> commands() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int begin = readme.indexOf("<!-- walkthrough -->");
        int end = readme.indexOf("<!-- /walkthrough -->");
        assertTrue(begin >= 0 && end > begin, "README.md has no walkthrough block");
        String block = readme.substring(begin, end).replace("\\\n", " ");
        List<List<String>> commands = new ArrayList<>();
        for (String line : block.lines().toList()) {
            if (line.startsWith("./distill4j ")) {
                List<String> words = new ArrayList<>(Arrays.asList(line.strip().split("\\s+")));
                words.remove(0);
                commands.add(words);
            }
        }
        return commands;
    }

    private String path(String word) {
        if (word.startsWith("runs/")) {
            return tmp.resolve(word).toString();
        }
        if (word.startsWith("teachers/") || word.startsWith("docs/")) {
            return ROOT.resolve(word).toString();
        }
        return word;
    }

    @Test
    void theReadmesPyTorchTeacherWalkthroughRuns() throws IOException {
        Assumptions.assumeTrue(System.getenv("CI") != null
                        || Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        List<List<String>> commands = commands();
        assertEquals(List.of("distill", "export", "export", "predict", "predict"),
                commands.stream().map(c -> c.get(0)).toList());
        List<MainTest.Outcome> outcomes = new ArrayList<>();
        for (List<String> command : commands) {
            MainTest.Outcome o = MainTest.run(command.stream().map(this::path).toArray(String[]::new));
            assertEquals(0, o.code(), String.join(" ", command) + "\n" + o.err());
            outcomes.add(o);
        }
        Metrics m = Json.readJson(tmp.resolve("runs/torch-student/metrics.json"), Metrics.class);
        assertTrue(m.method().startsWith("kd-causal-at"), m.method());
        assertTrue(m.top1() > 0.65, "the student after the walkthrough: top-1 " + m.top1());
        assertTrue(Files.size(tmp.resolve("runs/torch-student.onnx")) > 100_000);
        assertTrue(Files.isRegularFile(tmp.resolve("runs/torch-student-djl/serving.properties")));

        // predict on the ONNX file: each image, then its top 5, most probable first
        List<String> lines = outcomes.get(3).out().lines().toList();
        String[] want = {"Ankle boot", "Trouser", "Bag"};
        int correct = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(lines.get(6 * i).endsWith(".png"), lines.get(6 * i));
            correct += lines.get(6 * i + 1).endsWith(want[i]) ? 1 : 0;
        }
        assertTrue(correct >= 2, "top-1 of the three shipped images:\n" + outcomes.get(3).out());

        // predict --json on the DJL directory: one object per image with its top 5
        JsonNode json = new ObjectMapper().readTree(outcomes.get(4).out());
        assertEquals(1, json.size());
        JsonNode top5 = json.get(0).get("top5");
        assertEquals(5, top5.size());
        double sum = 0;
        for (int r = 0; r < 5; r++) {
            double p = top5.get(r).get("probability").asDouble();
            assertTrue(r == 0 || p <= top5.get(r - 1).get("probability").asDouble(), top5.toString());
            sum += p;
        }
        assertTrue(sum <= 1 + 1e-6 && sum > 0.5, top5.toString());
        assertTrue(json.get(0).get("image").asText().endsWith("fashion-mnist-0-ankle-boot.png"), json.toString());
    }
}
