package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.eval.Metrics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One short real run: a small ResNet18 on a Fashion-MNIST subset must pass 80% top-1. */
class FashionMnistRunTest {
    static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

    @Test
    void smallResNet18ReachesEightyPercent(@TempDir Path dir) throws Exception {
        // CI installs Debian's dataset-fashion-mnist (.ci/run); elsewhere the test needs it or a download.
        Assumptions.assumeTrue(System.getenv("CI") != null || Files.exists(DEBIAN),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        TrainConfig config = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 16,
                "dataset", "fashion-mnist", "epochs", 2, "batchSize", 64, "lr", 0.05, "trainSubset", 8000,
                "testSubset", 2000, "augment", false, "device", "cpu"));
        Metrics m = TrainingRun.execute(config, dir.resolve("fmnist"), false, TrainListener.NONE).metrics();
        assertTrue(m.top1() >= 0.80, "top-1 on 2000 Fashion-MNIST test images: " + m.top1());
    }
}
