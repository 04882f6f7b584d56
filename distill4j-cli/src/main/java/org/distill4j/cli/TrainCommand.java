package org.distill4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.distill4j.config.ConfigException;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.eval.Metrics;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;
import org.distill4j.train.ProgressBar;
import org.distill4j.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill4j train}: trains one model (a teacher, or a student from scratch) into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train one model (a teacher, or a student from labels alone). Defaults are the seed's "
                + "CIFAR-10 recipe: resnet18, width 64, 200 epochs, batch 128, SGD lr 0.1 momentum 0.9 "
                + "wd 5e-4, cosine.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML file of config keys; command-line options override it.")
    Path configFile;
    @Option(names = "--model", description = "resnet18, resnet34, resnet50, resnet18-cbam, resnet34-cbam, resnet50-cbam")
    String model;
    @Option(names = "--width", description = "Base width (64: the paper's models; 16: CPU-sized).")
    Integer width;
    @Option(names = "--dataset", description = "cifar10, fashion-mnist or synthetic.")
    String dataset;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data).")
    Path dataDir;
    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--batch-size") Integer batchSize;
    @Option(names = "--lr", description = "Peak learning rate.") Double lr;
    @Option(names = "--momentum") Double momentum;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--schedule", description = "cosine or multistep.") String schedule;
    @Option(names = "--milestones", split = ",", description = "multistep: epochs where lr is multiplied by --lr-decay.")
    List<Integer> milestones;
    @Option(names = "--lr-decay") Double lrDecay;
    @Option(names = "--warmup", description = "Warm-up epochs (linear from lr/10).") Integer warmupEpochs;
    @Option(names = "--seed") Long seed;
    @Option(names = "--device", description = "cpu, gpu or auto.") String device;
    @Option(names = "--train-subset", description = "Train on this many images, class-balanced (0: all).")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "Evaluate on this many test images (0: all).")
    Integer testSubset;
    @Option(names = "--max-batches", description = "Stop each epoch after this many batches (smoke tests).")
    Integer maxBatches;
    @Option(names = "--no-augment", description = "Train without pad-and-crop/flip.") Boolean noAugment;
    @Option(names = "--out", description = "Run directory (default runs/<model>-<dataset>-s<seed>).")
    Path out;
    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> given = givenOptions();
        TrainConfig config;
        Path dir = out;
        if (resume) {
            if (dir == null) {
                throw new ConfigException("--resume needs --out RUN_DIRECTORY");
            }
            TrainConfig stored = Json.readYaml(RunDirectory.open(dir).config(), TrainConfig.class);
            config = Overrides.apply(stored, given);
            // Only the length of training and the device may change on resume; anything else is another run.
            Map<String, Object[]> diff = Overrides.differences(stored, config);
            diff.keySet().removeAll(List.of("epochs", "device", "dataDir"));
            if (!diff.isEmpty()) {
                throw new ConfigException("--resume continues the stored run; these options differ from its "
                        + "config.yaml: " + diff.keySet() + ". Start a new run with another --out instead");
            }
        } else {
            TrainConfig base = TrainConfig.defaults();
            if (configFile != null) {
                base = Overrides.apply(base, readYamlMap(configFile));
            }
            config = Overrides.apply(base, given);
            if (dir == null) {
                dir = Path.of("runs", config.model() + "-w" + config.width() + "-" + config.dataset() + "-s" + config.seed());
            }
        }
        System.err.println("distill4j train -> " + dir);
        Metrics m = TrainingRun.execute(config, dir, resume, ProgressBar.onStderr("[" + config.model() + "]")).metrics();
        System.out.println(summary(m, dir));
        return 0;
    }

    private Map<String, Object> givenOptions() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "model", model);
        put(m, "width", width);
        put(m, "dataset", dataset);
        put(m, "dataDir", dataDir == null ? null : dataDir.toString());
        put(m, "epochs", epochs);
        put(m, "batchSize", batchSize);
        put(m, "lr", lr);
        put(m, "momentum", momentum);
        put(m, "weightDecay", weightDecay);
        put(m, "schedule", schedule);
        put(m, "milestones", milestones);
        put(m, "lrDecay", lrDecay);
        put(m, "warmupEpochs", warmupEpochs);
        put(m, "seed", seed);
        put(m, "device", device);
        put(m, "trainSubset", trainSubset);
        put(m, "testSubset", testSubset);
        put(m, "maxBatches", maxBatches);
        if (Boolean.TRUE.equals(noAugment)) {
            m.put("augment", false);
        }
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readYamlMap(Path file) {
        Map<String, Object> map = Json.readYaml(file, Map.class);
        return map == null ? Map.of() : map;
    }

    static String summary(Metrics m, Path dir) {
        return String.format(Locale.ROOT,
                "%s on %s: top-1 %.2f%% (best %.2f%% at epoch %d), %,d parameters, %.2f MB, "
                        + "latency %.2f ms (batch 1), %.0f images/s (batch 256); results in %s",
                m.model(), m.dataset(), 100 * m.top1(), 100 * m.top1Best(), m.bestEpoch(), m.params(),
                m.sizeBytes() / 1e6, m.latencyMs(), m.throughputImagesPerSec(), dir);
    }
}
