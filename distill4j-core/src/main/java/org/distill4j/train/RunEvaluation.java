package org.distill4j.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import org.distill4j.config.TrainConfig;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.ModelReport;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;

/**
 * The {@code eval} command as a function: reloads a finished run's model, measures it again on the run's
 * test set (top-1, parameters, size, latency, throughput) and updates metrics.json, keeping the figures
 * that only training knows (epochs, training time, best epoch).
 */
public final class RunEvaluation {
    private RunEvaluation() {}

    public static Metrics execute(RunDirectory run, String deviceName) throws IOException {
        TrainConfig config = TrainingRun.trainConfig(run);
        var data = TrainingRun.loadData(config);
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(deviceName))) {
            SavedModel.Loaded model = SavedModel.load(run.modelDir(), manager);
            ModelReport.Result r = ModelReport.measure(model, run.modelDir(), data.test(), manager);
            Metrics old = Files.isRegularFile(run.metrics()) ? Json.readJson(run.metrics(), Metrics.class) : null;
            Metrics metrics = new Metrics(model.info().model(), r.params(), r.sizeBytes(), r.top1(),
                    old != null ? old.top1Best() : r.top1(), r.speed().medianMs(), r.speed().imagesPerSec(),
                    old != null ? old.epochs() : config.epochs(), old != null ? old.trainSeconds() : Double.NaN,
                    config.dataset(), old != null ? old.method() : "unknown", model.info().width(),
                    old != null ? old.bestEpoch() : 0, old != null ? old.trainImages() : data.train().size(),
                    data.test().size(), r.speed().runs(), manager.getDevice().toString()).withOnnx(r.onnxSpeed());
            Json.writeJson(run.metrics(), metrics);
            return metrics;
        }
    }
}
