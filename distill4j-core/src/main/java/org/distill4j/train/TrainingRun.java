package org.distill4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.DataSplit;
import org.distill4j.data.Datasets;
import org.distill4j.data.ImageDataset;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.ModelReport;
import org.distill4j.eval.Speed;
import org.distill4j.model.Network;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.Json;
import org.distill4j.run.Provenance;
import org.distill4j.run.RunDirectory;
import org.distill4j.run.RunLock;

/**
 * The {@code train} command as a function: data, model, the epoch loop with evaluation, history,
 * checkpoints and resume, then the final measurements in metrics.json. The CLI, the demo and the tests
 * all call this.
 */
public final class TrainingRun {
    /** Test-set evaluation batch size: no gradients, so larger batches are cheaper. */
    static final int EVAL_BATCH = 256;

    public record Result(RunDirectory run, Metrics metrics) {}

    private TrainingRun() {}

    /** Loads the config's dataset and applies its subsets (both drawn with seed 0, so every seed sees the same images). */
    public static DataSplit loadData(TrainConfig config) {
        DataSplit split = Datasets.load(config.dataset(), config.dataPath(), config.dataOptions());
        ImageDataset train = config.trainSubset() > 0 ? split.train().subset(config.trainSubset(), 0) : split.train();
        ImageDataset test = config.testSubset() > 0 ? split.test().subset(config.testSubset(), 0) : split.test();
        return new DataSplit(train, test, split.skipped());
    }

    public static Result execute(TrainConfig config, Path out, boolean resume, TrainListener progress)
            throws IOException {
        return execute(config, TrainObjective.hardLabels(), loadData(config), out, resume, progress);
    }

    public static Result execute(TrainConfig config, TrainObjective objective, DataSplit data, Path out,
            boolean resume, TrainListener progress) throws IOException {
        return execute(config, config, objective, data, out, resume, progress);
    }

    /**
     * @param runConfig the configuration written to config.yaml (a {@link TrainConfig}, or a larger record such
     *                  as a DistillConfig whose {@code student} is {@code config})
     */
    public static Result execute(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            Path out, boolean resume, TrainListener progress) throws IOException {
        return execute(config, runConfig, objective, data, out, resume, CheckpointPolicy.DEFAULT, progress);
    }

    /**
     * @param resume     continue the run in {@code out} from its last checkpoint; one stopped before its first
     *                   checkpoint (nothing finished to lose) starts afresh
     * @param checkpoint when to write checkpoints inside an epoch, on top of those at epoch ends
     * @throws RunLock.HeldException when another live process is writing {@code out}
     */
    public static Result execute(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            Path out, boolean resume, CheckpointPolicy checkpoint, TrainListener progress) throws IOException {
        return execute(config, runConfig, objective, data, out, resume, checkpoint, progress, true);
    }

    /**
     * @param measureSpeed time the finished model's latency and throughput into metrics.json; a study passes
     *                     false and measures each architecture once for all its runs (their metrics then hold NaN
     *                     latency and no ONNX Runtime figures)
     */
    public static Result execute(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            Path out, boolean resume, CheckpointPolicy checkpoint, TrainListener progress, boolean measureSpeed)
            throws IOException {
        try (RunLock lock = RunLock.acquire(out, "training").reportStale(progress::onMessage)) {
            RunDirectory dir = new RunDirectory(out);
            for (Path d : new Path[] {out, dir.lastCheckpoint().getParent(), dir.modelDir()}) {
                AtomicFiles.removeStaleTemporaries(d); // left by a process killed while writing
            }
            return train(config, runConfig, objective, data, prepareDirectory(runConfig, out, resume, progress),
                    checkpoint, progress, measureSpeed);
        }
    }

    private static Result train(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            RunDirectory run, CheckpointPolicy checkpoint, TrainListener progress, boolean measureSpeed)
            throws IOException {
        Path out = run.root();
        boolean resume = Files.isRegularFile(run.lastCheckpoint());
        ImageDataset train = data.train();
        float[] mean = train.channelMean();
        float[] std = train.channelStd();
        Device device = Devices.resolve(config.device());
        ModelSpec spec = new ModelSpec(config.model(), config.width(), train.numClasses(), train.channels());
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Network model = Models.createInitialized(spec, manager, train.height(), train.width());
            List<Parameter> trainable = new ArrayList<>();
            model.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
            // the method's own modules, created right after the student so that a seed fixes both; trained alike
            ObjectiveParts parts = objective.bind(new TrainObjective.Context(manager, train.labels(),
                    train.numClasses(), config.seed()));
            trainable.addAll(parts.trainable());
            LearningRateSchedule schedule = new LearningRateSchedule(config);
            try (SgdMomentum optimizer = new SgdMomentum(trainable, config.momentum(), config.weightDecay(),
                    config.nesterov(), schedule.cyclesMomentum(), manager)) {
                Checkpoint.State state = new Checkpoint.State(0, 0, 0, 0);
                if (resume) {
                    state = Checkpoint.load(run.lastCheckpoint(), model, optimizer, parts, manager);
                    Json.writeYaml(run.config(), runConfig); // what may change on resume (epochs, device) did
                    progress.onMessage("resuming " + out + " after epoch " + state.epoch()
                            + (state.partial().batchesDone() > 0 ? " and " + state.partial().batchesDone()
                                    + " batches of epoch " + (state.epoch() + 1) : ""));
                }
                Provenance provenance = Provenance.start(config.seed(), train.name(), train.sha256(), Devices.versions())
                        .withSkippedImages(data.skipped());
                provenance.write(run.provenance());

                HistoryWriter history = new HistoryWriter(run.history(), objective.termNames(), state.epoch());
                Trainer trainer = new Trainer(model, manager, objective, optimizer, schedule,
                        progress);
                Augmentation augmentation = augmentation(config);
                Trainer.EpochData epochData = new Trainer.EpochData(train, config.batchSize(), augmentation,
                        config.seed(), mean, std, config.maxBatches());
                double lastTop1 = Double.NaN;
                for (int epoch = state.epoch() + 1; epoch <= config.epochs(); epoch++) {
                    Path lastGood = Files.isRegularFile(run.lastCheckpoint()) ? run.lastCheckpoint() : null;
                    Checkpoint.State done = state;
                    EpochStats stats = trainer.trainEpoch(epoch, config.epochs(), epochData, lastGood,
                            state.partial(), checkpoint, p -> Checkpoint.save(run.lastCheckpoint(), done.within(p),
                                    model, optimizer, parts));
                    lastTop1 = config.testsAfter(epoch)
                            ? Accuracy.top1(model, data.test(), mean, std, EVAL_BATCH, manager) : Double.NaN;
                    stats = withTestTop1(stats, lastTop1);
                    boolean best = !Double.isNaN(lastTop1)
                            && (lastTop1 > state.bestTop1() || state.bestEpoch() == 0);
                    state = new Checkpoint.State(epoch, best ? lastTop1 : state.bestTop1(),
                            best ? epoch : state.bestEpoch(), state.trainSeconds() + stats.seconds());
                    // History first, then the checkpoint: if the process dies between the two, resume drops
                    // the extra history row, so history.csv always matches the checkpoint on disk.
                    history.onEpochEnd(stats, config.epochs(), state.bestTop1());
                    Checkpoint.save(run.lastCheckpoint(), state, model, optimizer, parts);
                    if (best) {
                        AtomicFiles.write(run.bestCheckpoint(), o -> Files.copy(run.lastCheckpoint(), o));
                    }
                    progress.onEpochEnd(stats, config.epochs(), state.bestTop1());
                }
                if (Double.isNaN(lastTop1)) { // nothing left to train (resumed a finished run): measure it
                    lastTop1 = Accuracy.top1(model, data.test(), mean, std, EVAL_BATCH, manager);
                }
                SavedModel.Info info = new SavedModel.Info(spec.name(), spec.width(), spec.numClasses(),
                        spec.inChannels(), train.height(), train.width(), mean, std, train.classNames(),
                        config.dataset());
                SavedModel.save(run.modelDir(), model, info);
                Speed.Result speed = new Speed.Result(Double.NaN, Double.NaN, 0, Double.NaN,
                        ModelReport.THROUGHPUT_BATCH);
                Speed.Result onnx = null;
                if (measureSpeed) {
                    progress.onMessage("measuring latency and throughput");
                    speed = Speed.measure(model, manager, train.channels(), train.height(), train.width(),
                            ModelReport.LATENCY_WARMUP, ModelReport.LATENCY_RUNS, ModelReport.THROUGHPUT_BATCH);
                    onnx = ModelReport.onnxSpeed(new SavedModel.Loaded(model, info), manager);
                }
                Metrics metrics = new Metrics(spec.name(), Models.countParameters(model),
                        SavedModel.sizeBytes(run.modelDir()), lastTop1, state.bestTop1(), speed.medianMs(),
                        speed.imagesPerSec(), state.epoch(), state.trainSeconds(), config.dataset(),
                        objective.method(), spec.width(), state.bestEpoch(), train.size(), data.test().size(),
                        speed.runs(), device.toString(), parts.parameterCount(), objective.teacherSource(),
                        null, null).withOnnx(onnx);
                Json.writeJson(run.metrics(), metrics);
                provenance.finish().write(run.provenance());
                return new Result(run, metrics);
            }
        }
    }

    /** The training-time augmentation of a config: its dataset's standard one, or none. */
    public static Augmentation augmentation(TrainConfig config) {
        return config.augment() ? Datasets.defaultAugmentation(config.dataset()) : Augmentation.none();
    }

    /** The training configuration of a run directory, whether it was written by train or by distill. */
    public static TrainConfig trainConfig(RunDirectory run) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> raw = Json.readYaml(run.config(), java.util.Map.class);
        return raw.containsKey("student")
                ? Json.readYaml(run.config(), org.distill4j.config.DistillConfig.class).student()
                : Json.readYaml(run.config(), TrainConfig.class);
    }

    private static RunDirectory prepareDirectory(Record config, Path out, boolean resume, TrainListener progress)
            throws IOException {
        RunDirectory run;
        if (resume) {
            run = RunDirectory.open(out);
            if (Files.isRegularFile(run.lastCheckpoint())) {
                return run; // config.yaml is rewritten once the checkpoint has loaded
            }
            progress.onMessage(out + " has no checkpoint yet (it stopped before its first one): starting it afresh");
            run.clearUnfinished();
        } else {
            if (Files.exists(out.resolve("config.yaml"))) {
                throw new IllegalArgumentException(out + " already holds a run; pass --resume to continue it, "
                        + "or choose another --out (a finished result is never overwritten)");
            }
            run = RunDirectory.create(out);
            run.clearUnfinished();
        }
        Json.writeYaml(run.config(), config);
        return run;
    }

    private static EpochStats withTestTop1(EpochStats s, double top1) {
        return new EpochStats(s.epoch(), s.lr(), s.terms(), s.trainLoss(), s.trainTop1(), top1, s.imagesPerSec(),
                s.seconds(), s.loaderWaitSec());
    }
}
