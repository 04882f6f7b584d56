package org.distill4j.distill;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.DataSplit;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.eval.Metrics;
import org.distill4j.train.ProgressBar;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "distil from Java" example, compiled and run here; the test fails if the README drifts from it. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRunsAndIsTheOneInTheReadme(@TempDir Path dir) throws Exception {
        DataSplit data = SyntheticDataset.split(640, 160, 10, 3, 16, 4);
        String teacherRun = dir.resolve("teacher").toString();
        Path out = dir.resolve("student");
        TrainingRun.execute(Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18-cbam", "width", 8,
                "dataset", "synthetic", "epochs", 2, "batchSize", 32)), TrainObjective.hardLabels(), data,
                Path.of(teacherRun), false, TrainListener.NONE);

        // README-BEGIN
        TrainConfig student = Overrides.apply(TrainConfig.defaults(), Map.of(
                "model", "resnet18", "width", 8, "dataset", "synthetic", "epochs", 2, "batchSize", 32));
        MethodConfig method = Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 8));
        Metrics metrics = DistillationRun.execute(new DistillConfig(teacherRun, student, method), data, out,
                false, ProgressBar.onStderr("[student]")).metrics();
        System.out.println(metrics.top1() + " " + metrics.method());
        // README-END

        assertTrue(metrics.top1() >= 0 && metrics.epochs() == 2 && metrics.method().startsWith("seed"), metrics.toString());
        String source = Files.readString(Path.of("src/test/java/org/distill4j/distill/ReadmeExampleTest.java"));
        String snippet = normalise(source.substring(source.indexOf("// README-BEGIN") + 15,
                source.indexOf("// README-END")));
        String readme = normalise(Files.readString(Path.of("../README.md")));
        assertTrue(readme.contains(snippet), "README.md must contain the example exactly:\n" + snippet);
    }

    private static String normalise(String code) {
        List<String> lines = Arrays.stream(code.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().collect(Collectors.joining("\n"));
    }
}
