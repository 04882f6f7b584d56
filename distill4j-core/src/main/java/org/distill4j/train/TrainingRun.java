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
        return execute(config, TrainObjective.forTraining(config), loadData(config), out, resume, progress);
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
        if (objective.peers() != config.peers()) {
            throw new IllegalArgumentException("the config trains " + config.peers() + " network(s) but the objective "
                    + objective.method() + " trains " + objective.peers());
        }
        try (RunLock lock = RunLock.acquire(out, "training").reportStale(progress::onMessage)) {
            List<RunDirectory> peers = peers(new RunDirectory(out), config.peers());
            for (RunDirectory dir : peers) {
                for (Path d : new Path[] {dir.root(), dir.lastCheckpoint().getParent(), dir.modelDir()}) {
                    if (Files.isDirectory(d)) {
                        AtomicFiles.removeStaleTemporaries(d); // left by a process killed while writing
                    }
                }
            }
            if (resume && peers.size() > 1) {
                String recovered = Checkpoint.recoverGroup(peers);
                if (recovered != null) {
                    progress.onMessage(recovered);
                }
            }
            return train(config, runConfig, objective, data, prepareDirectory(runConfig, out, resume, progress,
                    config.peers()), checkpoint, progress, measureSpeed);
        }
    }

    /** A run's peers: the run itself, then peers/peer-2 .. peer-N (one network: the run alone). */
    public static List<RunDirectory> peers(RunDirectory run, int count) {
        List<RunDirectory> out = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            out.add(run.peer(k));
        }
        return out;
    }

    private static Result train(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            RunDirectory run, CheckpointPolicy checkpoint, TrainListener progress, boolean measureSpeed)
            throws IOException {
        Path out = run.root();
        List<RunDirectory> runs = peers(run, config.peers());
        int n = runs.size();
        boolean resume = Files.isRegularFile(run.lastCheckpoint());
        ImageDataset train = data.train();
        float[] mean = train.channelMean();
        float[] std = train.channelStd();
        Device device = Devices.resolve(config.device());
        ModelSpec spec = new ModelSpec(config.model(), config.width(), train.numClasses(), train.channels());
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            // peers are created one after another from the one seed: each starts from its own initialisation
            List<Network> models = new ArrayList<>();
            List<List<Parameter>> trainable = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Network model = Models.createInitialized(spec, manager, train.height(), train.width());
                models.add(model);
                List<Parameter> own = new ArrayList<>();
                model.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(own::add);
                trainable.add(own);
            }
            // the method's own modules, created right after the student so that a seed fixes both; trained alike
            ObjectiveParts parts = objective.bind(new TrainObjective.Context(manager, train.labels(),
                    train.numClasses(), config.seed()));
            trainable.get(0).addAll(parts.trainable());
            LearningRateSchedule schedule = new LearningRateSchedule(config);
            List<SgdMomentum> optimizers = new ArrayList<>();
            try {
                for (int k = 0; k < n; k++) {
                    optimizers.add(new SgdMomentum(trainable.get(k), config.momentum(), config.weightDecay(),
                            config.nesterov(), schedule.cyclesMomentum(), manager));
                }
                return trainLoop(config, runConfig, objective, data, runs, models, optimizers, parts, schedule,
                        resume, checkpoint, progress, measureSpeed, manager, spec, device, mean, std);
            } finally {
                for (SgdMomentum o : optimizers) {
                    o.close();
                }
            }
        }
    }

    private static Result trainLoop(TrainConfig config, Record runConfig, TrainObjective objective, DataSplit data,
            List<RunDirectory> runs, List<Network> models, List<SgdMomentum> optimizers, ObjectiveParts parts,
            LearningRateSchedule schedule, boolean resume, CheckpointPolicy checkpoint, TrainListener progress,
            boolean measureSpeed, NDManager manager, ModelSpec spec, Device device, float[] mean, float[] std)
            throws IOException {
        int n = runs.size();
        RunDirectory run = runs.get(0);
        Path out = run.root();
        ImageDataset train = data.train();
        List<Checkpoint.State> states = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Checkpoint.State state = new Checkpoint.State(0, 0, 0, 0);
            if (resume) {
                RunDirectory r = runs.get(k);
                if (!Files.isRegularFile(r.lastCheckpoint())) {
                    throw new IOException(r.lastCheckpoint() + ": peer " + (k + 1) + "'s checkpoint is missing while "
                            + "peer 1's exists; the run is damaged: train it again (delete " + out + " or choose "
                            + "another --out)");
                }
                state = Checkpoint.load(r.lastCheckpoint(), models.get(k), optimizers.get(k),
                        k == 0 ? parts : ObjectiveParts.NONE, manager);
            }
            states.add(state);
        }
        if (resume) {
            for (RunDirectory r : runs) {
                Json.writeYaml(r.config(), runConfig); // what may change on resume (epochs, device) did
            }
            Checkpoint.State state = states.get(0);
            progress.onMessage("resuming " + out + (n > 1 ? " (" + n + " peers)" : "") + " after epoch " + state.epoch()
                    + (state.partial().batchesDone() > 0 ? " and " + state.partial().batchesDone()
                            + " batches of epoch " + (state.epoch() + 1) : ""));
        }
        Provenance provenance = Provenance.start(config.seed(), train.name(), train.sha256(), Devices.versions())
                .withSkippedImages(data.skipped());
        List<HistoryWriter> histories = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            provenance.write(runs.get(k).provenance());
            histories.add(new HistoryWriter(runs.get(k).history(), objective.termNames(), states.get(k).epoch()));
        }
        Trainer trainer = new Trainer(models, manager, objective, optimizers, schedule, progress);
        Augmentation augmentation = augmentation(config);
        Trainer.EpochData epochData = new Trainer.EpochData(train, config.batchSize(), augmentation,
                config.seed(), mean, std, config.maxBatches());
        double[] lastTop1 = new double[n];
        java.util.Arrays.fill(lastTop1, Double.NaN);
        for (int epoch = states.get(0).epoch() + 1; epoch <= config.epochs(); epoch++) {
            Path lastGood = Files.isRegularFile(run.lastCheckpoint()) ? run.lastCheckpoint() : null;
            List<Checkpoint.State> done = List.copyOf(states);
            List<EpochProgress> from = states.stream().map(Checkpoint.State::partial).toList();
            List<EpochStats> stats = trainer.trainEpoch(epoch, config.epochs(), epochData, lastGood, from, checkpoint,
                    p -> {
                        List<Checkpoint.State> within = new ArrayList<>();
                        for (int k = 0; k < n; k++) {
                            within.add(done.get(k).within(p.get(k)));
                        }
                        Checkpoint.saveGroup(runs, within, models, optimizers, parts);
                    });
            List<Boolean> best = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Checkpoint.State state = states.get(k);
                lastTop1[k] = config.testsAfter(epoch)
                        ? Accuracy.top1(models.get(k), data.test(), mean, std, EVAL_BATCH, manager) : Double.NaN;
                EpochStats s = withTestTop1(stats.get(k), lastTop1[k]);
                stats.set(k, s);
                boolean isBest = !Double.isNaN(lastTop1[k]) && (lastTop1[k] > state.bestTop1() || state.bestEpoch() == 0);
                best.add(isBest);
                states.set(k, new Checkpoint.State(epoch, isBest ? lastTop1[k] : state.bestTop1(),
                        isBest ? epoch : state.bestEpoch(), state.trainSeconds() + s.seconds()));
                // History first, then the checkpoint: if the process dies between the two, resume drops
                // the extra history row, so history.csv always matches the checkpoint on disk.
                histories.get(k).onEpochEnd(s, config.epochs(), states.get(k).bestTop1());
            }
            Checkpoint.saveGroup(runs, states, models, optimizers, parts);
            for (int k = 0; k < n; k++) {
                RunDirectory r = runs.get(k);
                if (best.get(k)) {
                    AtomicFiles.write(r.bestCheckpoint(), o -> Files.copy(r.lastCheckpoint(), o));
                }
            }
            progress.onEpochEnd(stats.get(0), config.epochs(), states.get(0).bestTop1());
        }
        SavedModel.Info info = new SavedModel.Info(spec.name(), spec.width(), spec.numClasses(),
                spec.inChannels(), train.height(), train.width(), mean, std, train.classNames(),
                config.dataset());
        Speed.Result speed = new Speed.Result(Double.NaN, Double.NaN, 0, Double.NaN, ModelReport.THROUGHPUT_BATCH);
        Speed.Result onnx = null;
        Metrics first = null;
        // the other peers first: peer 1's metrics.json, written last, is what says the whole run finished
        for (int k = n - 1; k >= 0; k--) {
            RunDirectory r = runs.get(k);
            Network model = models.get(k);
            Checkpoint.State state = states.get(k);
            if (Double.isNaN(lastTop1[k])) { // nothing left to train (resumed a finished run): measure it
                lastTop1[k] = Accuracy.top1(model, data.test(), mean, std, EVAL_BATCH, manager);
            }
            SavedModel.save(r.modelDir(), model, info);
            if (measureSpeed && k == 0) { // peers share one architecture: peer 1's figures stand for every peer
                progress.onMessage("measuring latency and throughput");
                speed = Speed.measure(model, manager, train.channels(), train.height(), train.width(),
                        ModelReport.LATENCY_WARMUP, ModelReport.LATENCY_RUNS, ModelReport.THROUGHPUT_BATCH);
                onnx = ModelReport.onnxSpeed(new SavedModel.Loaded(model, info), manager);
            }
            Metrics metrics = new Metrics(spec.name(), Models.countParameters(model),
                    SavedModel.sizeBytes(r.modelDir()), lastTop1[k], state.bestTop1(), speed.medianMs(),
                    speed.imagesPerSec(), state.epoch(), state.trainSeconds(), config.dataset(),
                    objective.method(), spec.width(), state.bestEpoch(), train.size(), data.test().size(),
                    speed.runs(), device.toString(), k == 0 ? parts.parameterCount() : 0, objective.teacherSource(),
                    null, null).withOnnx(onnx);
            Json.writeJson(r.metrics(), metrics);
            provenance.finish().write(r.provenance());
            first = metrics;
        }
        return new Result(run, first);
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

    private static RunDirectory prepareDirectory(Record config, Path out, boolean resume, TrainListener progress,
            int peers) throws IOException {
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
        for (int k = 2; k <= peers; k++) {
            RunDirectory peer = RunDirectory.create(run.peer(k).root());
            peer.clearUnfinished();
            Files.deleteIfExists(peer.metrics());
            Json.writeYaml(peer.config(), config);
        }
        Json.writeYaml(run.config(), config);
        return run;
    }

    private static EpochStats withTestTop1(EpochStats s, double top1) {
        return new EpochStats(s.epoch(), s.lr(), s.terms(), s.trainLoss(), s.trainTop1(), top1, s.imagesPerSec(),
                s.seconds(), s.loaderWaitSec());
    }
}
