package org.distill4j.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.distill4j.eval.ModelReport;
import org.distill4j.eval.Speed;
import org.distill4j.export.OnnxExport;
import org.distill4j.export.OnnxModel;
import org.distill4j.model.FoldedNetwork;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;

/**
 * Where a deployed model runs fastest: batch-1 latency and batch-256 throughput of one model in each inference
 * path distill4j has, measured one after another in one process by {@link Speed}'s protocol:
 * libtorch on the network as trained, libtorch on the folded copy (what {@code eval} reports), and ONNX Runtime on
 * the ONNX export with its default threads and with one thread.
 */
public final class RuntimeBench {
    /** One model in one runtime. */
    public record Row(String model, String runtime, double medianMs, double minMs, double imagesPerSec) {}

    private RuntimeBench() {}

    /**
     * @param spec   the model (random weights: speed does not depend on them)
     * @param size   input height and width
     * @param log    progress lines
     */
    public static List<Row> run(ModelSpec spec, int size, Consumer<String> log) throws IOException {
        List<Row> rows = new ArrayList<>();
        int warmup = ModelReport.LATENCY_WARMUP;
        int runs = ModelReport.LATENCY_RUNS;
        int batch = ModelReport.THROUGHPUT_BATCH;
        int c = spec.inChannels();
        String label = spec.label();
        try (NDManager manager = NDManager.newBaseManager()) {
            Network net = Models.createInitialized(spec, manager, size, size);
            ParameterStore ps = new ParameterStore(manager, false);
            rows.add(row(label, "libtorch (as trained)", Speed.measure(
                    x -> net.features(ps, x, false).logits().toFloatArray(), manager, c, size, size, warmup, runs,
                    batch), log));
            try (NDManager sub = manager.newSubManager(); FoldedNetwork folded = net.fold(sub)) {
                rows.add(row(label, "libtorch (folded, eval)", Speed.measure(
                        x -> folded.features(x).logits().toFloatArray(), sub, c, size, size, warmup, runs, batch),
                        log));
            }
            float[] mean = new float[c];
            float[] std = new float[c];
            Arrays.fill(std, 1f);
            SavedModel.Loaded model = new SavedModel.Loaded(net, new SavedModel.Info(spec.name(), spec.width(),
                    spec.numClasses(), c, size, size, mean, std, null, "bench"));
            Path file = Files.createTempFile("distill4j-bench-", ".onnx");
            try {
                OnnxExport.write(model, manager, file);
                for (Map<String, String> options : List.of(Map.<String, String>of(),
                        Map.of("intraOpNumThreads", "1"))) {
                    try (OnnxModel onnx = OnnxModel.open(file, options)) {
                        String runtime = options.isEmpty() ? "ONNX Runtime (default threads)" : "ONNX Runtime (1 thread)";
                        rows.add(row(label, runtime, Speed.measure(x -> onnx.logits(x).toFloatArray(), manager, c,
                                size, size, warmup, runs, batch), log));
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
        return rows;
    }

    private static Row row(String model, String runtime, Speed.Result r, Consumer<String> log) {
        log.accept(String.format(java.util.Locale.ROOT, "%s, %s: batch 1 median %.2f ms (min %.2f), batch %d %.0f "
                + "images/s", model, runtime, r.medianMs(), r.minMs(), r.throughputBatch(), r.imagesPerSec()));
        return new Row(model, runtime, r.medianMs(), r.minMs(), r.imagesPerSec());
    }
}
