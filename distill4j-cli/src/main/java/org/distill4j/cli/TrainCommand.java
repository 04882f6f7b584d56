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
import org.distill4j.train.TrainObjective;
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
    @Option(names = "--model", description = "A model of the zoo (`distill4j models` lists them): resnet18..152, "
            + "resnet18-cbam.., resnet20/56/110, resnet8x4, resnet32x4, wrn-D-K, vgg8..19, mobilenetv2, mobile_half, "
            + "shufflenetv1, shufflenetv2[-0.5x|-1.5x|-2x]. Default resnet18.")
    String model;
    @picocli.CommandLine.Mixin
    TrainOptions options = new TrainOptions();
    @Option(names = "--out", description = "Run directory (default runs/<model>-<dataset>-s<seed>).")
    Path out;
    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (the same command "
            + "without --resume does too; --resume also lets --epochs, --device and --data-dir change).")
    boolean resume;
    @picocli.CommandLine.Mixin
    CheckpointOption checkpoint = new CheckpointOption();

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
            TrainOptions.requireResumable(stored, config, List.of());
        } else {
            TrainConfig base = TrainConfig.defaults();
            if (configFile != null) {
                try {
                    base = Overrides.apply(base, readYamlMap(configFile));
                } catch (ConfigException e) {
                    throw new ConfigException(configFile + ": " + e.getMessage());
                }
            }
            config = Overrides.apply(base, given);
            if (dir == null) {
                dir = Path.of("runs", config.model() + (config.width() > 0 ? "-w" + config.width() : "") + "-"
                        + config.dataset() + "-s" + config.seed());
            }
            RunDirectory existing = new RunDirectory(dir);
            if (java.nio.file.Files.isRegularFile(existing.config())) {
                java.util.Set<String> changed = readYamlMap(existing.config()).containsKey("student")
                        ? java.util.Set.of("teacher and method (it is a distilled run)")
                        : Overrides.differences(Json.readYaml(existing.config(), TrainConfig.class), config).keySet();
                if (TrainOptions.alreadyFinished(existing, changed)) {
                    return 0;
                }
                resume = true;
            }
        }
        System.err.println("distill4j train -> " + dir);
        Metrics m;
        // locked before the data are read, so that a second writer is stopped at once (held again while training)
        try (org.distill4j.run.RunLock lock = org.distill4j.run.RunLock.acquire(dir, "train")) {
            m = TrainingRun.execute(config, config, TrainObjective.forTraining(config), TrainingRun.loadData(config), dir,
                    resume, checkpoint.policy(), ProgressBar.onStderr("[" + config.model() + "]")).metrics();
        }
        System.out.println(summary(m, dir));
        return 0;
    }

    private Map<String, Object> givenOptions() {
        Map<String, Object> m = new LinkedHashMap<>();
        TrainOptions.put(m, "model", model);
        m.putAll(options.overrides());
        return m;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readYamlMap(Path file) {
        Map<String, Object> map = Json.readYaml(file, Map.class);
        return map == null ? Map.of() : map;
    }

    static String summary(Metrics m, Path dir) {
        String onnx = m.onnxLatencyMs() == null ? ""
                : String.format(Locale.ROOT, "; ONNX Runtime %.2f ms, %.0f images/s", m.onnxLatencyMs(),
                        m.onnxImagesPerSec());
        return String.format(Locale.ROOT,
                "%s on %s: top-1 %.2f%% (best %.2f%% at epoch %d), %,d parameters, %.2f MB, "
                        + "latency %.2f ms (batch 1), %.0f images/s (batch 256)%s; results in %s",
                m.model(), m.dataset(), 100 * m.top1(), 100 * m.top1Best(), m.bestEpoch(), m.params(),
                m.sizeBytes() / 1e6, m.latencyMs(), m.throughputImagesPerSec(), onnx, dir);
    }
}
