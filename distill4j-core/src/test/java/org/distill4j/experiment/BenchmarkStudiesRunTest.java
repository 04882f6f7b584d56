package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.eval.Metrics;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped GPU studies run end to end with the methods that exist: a 3-stage same-family pair and a 4-stage
 * cross-family pair of the CIFAR-100 benchmark, each shrunk to one epoch of one batch on synthetic data (only the
 * data and the length change; models, methods and the rest of the recipe are the file's). ZooDistillTest covers
 * a ShuffleNetV2 student.
 */
class BenchmarkStudiesRunTest {
    @TempDir
    Path out;

    private static final Map<String, Object> SHRINK = Map.of("dataset", "synthetic", "epochs", 1, "milestones", List.of(),
            "trainSubset", 32, "testSubset", 16, "batchSize", 16, "maxBatches", 1, "augment", false, "device", "cpu");

    @ParameterizedTest
    @ValueSource(strings = {"cifar100-benchmark.yaml:resnet56-to-resnet20", "cifar100-benchmark.yaml:vgg13-to-mobile_half"})
    void studyRunsEveryVariant(String fileAndStudy) throws IOException {
        String[] parts = fileAndStudy.split(":");
        ExperimentConfig study = ExperimentSuite.load(ShippedExperimentsTest.DIR.resolve(parts[0])).studies().stream()
                .filter(c -> c.name().equals(parts[1])).findFirst().orElseThrow();
        ExperimentConfig small = new ExperimentConfig(study.name(), study.description(),
                new TeacherStage(shrink(study.teacher().train()), null, null, null), shrink(study.student()),
                List.of(1L), study.variants().stream()
                        .map(v -> new Variant(v.name(), v.method(), shrink(v.student()))).toList(),
                study.report(), null);
        ExperimentResults r = ExperimentRunner.run(small, out, ExperimentRunner.Listener.QUIET);
        assertNotNull(r.teacher(), "teacher stage");
        assertEquals(study.variants().size(), r.variants().size());
        for (ExperimentResults.VariantResult v : r.variants()) {
            ExperimentResults.SeedRun run = v.runs().get(0);
            assertNull(run.error(), v.name() + ": " + run.error());
            Metrics m = run.metrics();
            assertNotNull(m, v.name());
            assertEquals(study.student().model(), m.model());
        }
    }

    private static TrainConfig shrink(TrainConfig c) {
        return Overrides.apply(c, SHRINK);
    }
}
