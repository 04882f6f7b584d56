package org.distill4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.distill4j.eval.ModelCatalog;
import org.distill4j.run.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill4j models}: every model of the zoo with its size, cost and speed, to pick a student. */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the model zoo: parameters, parameter-file size, forward GFLOPs at --size, batch-1 "
                + "latency on this machine (median of --runs calls of the BatchNorm-folded copy after a second of "
                + "warm-up) and the stage outputs (channels x height x width) that attention transfer pairs up.",
            "Names accept patterns too: wrn-D-K, resnetD (D = 6n+2), mobilenetv2-Mx, shufflenetv2-0.5x/1.5x/2x, "
                + "resnet18..152 with --width. Nothing else should run meanwhile (latency)."})
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", paramLabel = "NAME", description = "Only these (default: all listed).")
    List<String> names;
    @Option(names = "--classes", defaultValue = "10", description = "Classifier outputs (default 10; 100: CIFAR-100).")
    int classes;
    @Option(names = "--size", defaultValue = "32", description = "Input side in pixels, 3 channels (default 32).")
    int size;
    @Option(names = "--width", defaultValue = "0", description = "Base width of resnet18..152 (default 64).")
    int width;
    @Option(names = "--runs", defaultValue = "30", description = "Timed batch-1 calls per model (default 30; 0: no "
            + "latency, fast).")
    int runs;
    @Option(names = "--json", description = "Also write the rows to this JSON file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        ModelCatalog.Options options = new ModelCatalog.Options(names, classes, size, width, runs);
        System.out.printf(Locale.ROOT, "distill4j models: %d models, %d classes, 3x%dx%d input%s%n",
                options.names().size(), classes, size, size, runs > 0 ? ", " + runs + " timed batch-1 calls each" : "");
        String format = "%-20s %12s %9s %8s %11s  %s%n";
        System.out.printf(Locale.ROOT, format, "model", "params", "size MB", "GFLOPs", "latency ms", "stages (CxHxW)");
        List<ModelCatalog.Row> rows = ModelCatalog.measure(options, r -> System.out.printf(Locale.ROOT, format,
                r.label(), String.format(Locale.ROOT, "%,d", r.params()),
                String.format(Locale.ROOT, "%.2f", r.sizeBytes() / 1e6), String.format(Locale.ROOT, "%.3f", r.gflops()),
                Double.isNaN(r.latencyMs()) ? "-" : String.format(Locale.ROOT, "%.2f", r.latencyMs()),
                String.join(" ", r.stages())));
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("classes", classes);
            out.put("input", List.of(3, size, size));
            out.put("latencyRuns", runs);
            out.put("models", new ArrayList<>(rows));
            Json.writeJson(json, out);
            System.out.println("JSON: " + json.toAbsolutePath());
        }
        return 0;
    }
}
