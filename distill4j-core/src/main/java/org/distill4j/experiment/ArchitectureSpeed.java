package org.distill4j.experiment;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.ModelReport;
import org.distill4j.eval.Speed;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.train.Devices;

/**
 * One latency and throughput measurement per student architecture of a study ({@code DIR/speed.json}), instead of
 * one per run: every run of an architecture computes the same function of the same shapes, so timing each of them
 * measured only the machine's noise and cost each run its seconds. The study takes the measurements after its last
 * run, one architecture after another with nothing else of its own running, and keeps them: a rerun that adds runs
 * measures only architectures not seen before (delete speed.json to measure again, on another machine say).
 */
public final class ArchitectureSpeed {
    /**
     * @param key              {@link #key(Metrics)} of the architecture
     * @param model            its name
     * @param width            its width
     * @param params           its trainable parameters
     * @param measuredOn       the run whose saved model was timed
     * @param device           where
     * @param latencyMs        median batch-1 latency, distill4j's inference (BatchNorm folded)
     * @param latencyRuns      timed batch-1 runs behind it
     * @param imagesPerSec     throughput at batch {@link ModelReport#THROUGHPUT_BATCH}
     * @param onnxLatencyMs    ONNX Runtime's batch-1 latency (null: not measured)
     * @param onnxImagesPerSec ONNX Runtime's throughput (null: not measured)
     */
    public record Entry(String key, String model, int width, long params, String measuredOn, String device,
            double latencyMs, int latencyRuns, double imagesPerSec, Double onnxLatencyMs, Double onnxImagesPerSec) {}

    /** speed.json: the entries, in the order they were measured. */
    public record Table(List<Entry> architectures) {
        public Table {
            architectures = architectures == null ? List.of() : List.copyOf(architectures);
        }

        public Entry find(String key) {
            return architectures.stream().filter(e -> e.key().equals(key)).findFirst().orElse(null);
        }
    }

    private ArchitectureSpeed() {}

    /** Identifies an architecture by what fixes its compute: name, width and parameter count (classes, channels). */
    public static String key(Metrics m) {
        return m.model() + "|" + m.width() + "|" + m.params();
    }

    /** The study's table; empty when it has none (a study run before architectures were measured once). */
    public static Table read(ExperimentLayout layout) {
        Path file = layout.speed();
        return Files.isRegularFile(file) ? Json.readJson(file, Table.class) : new Table(List.of());
    }

    /**
     * Measures every architecture of the finished runs that the table lacks, on the runs' device, and writes the
     * table; runs without a saved model are skipped.
     */
    static Table measureMissing(ExperimentLayout layout, ExperimentResults results, String device,
            Consumer<String> log) throws IOException {
        Table table = read(layout);
        Map<String, ExperimentResults.SeedRun> todo = new LinkedHashMap<>();
        for (ExperimentResults.VariantResult v : results.variants()) {
            for (ExperimentResults.SeedRun run : v.runs()) {
                if (run.metrics() != null && Files.isRegularFile(run.dir().resolve("model").resolve(SavedModel.INFO))
                        && table.find(key(run.metrics())) == null) {
                    todo.putIfAbsent(key(run.metrics()), run);
                }
            }
        }
        if (todo.isEmpty()) {
            return table;
        }
        List<Entry> entries = new ArrayList<>(table.architectures());
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device))) {
            for (Map.Entry<String, ExperimentResults.SeedRun> e : todo.entrySet()) {
                Metrics m = e.getValue().metrics();
                log.accept("measuring latency and throughput of " + ModelSpec.label(m.model(), m.width())
                        + " (once for every run of it in this study)");
                try (NDManager scratch = manager.newSubManager()) {
                    SavedModel.Loaded model = SavedModel.load(e.getValue().dir().resolve("model"), scratch);
                    SavedModel.Info info = model.info();
                    Speed.Result speed = Speed.measure(model.network(), scratch, info.channels(), info.height(),
                            info.imageWidth(), ModelReport.LATENCY_WARMUP, ModelReport.LATENCY_RUNS,
                            ModelReport.THROUGHPUT_BATCH);
                    Speed.Result onnx = ModelReport.onnxSpeed(model, scratch);
                    entries.add(new Entry(e.getKey(), m.model(), m.width(), m.params(),
                            layout.root().relativize(e.getValue().dir()).toString(), manager.getDevice().toString(),
                            speed.medianMs(), speed.runs(), speed.imagesPerSec(),
                            onnx == null ? null : onnx.medianMs(), onnx == null ? null : onnx.imagesPerSec()));
                }
                table = new Table(entries);
                Json.writeJson(layout.speed(), table); // after each: a kill keeps what was measured
            }
        }
        return table;
    }
}
