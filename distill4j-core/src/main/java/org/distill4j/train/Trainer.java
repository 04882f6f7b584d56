package org.distill4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.data.Augmentation;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.loss.CrossEntropy;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Network;
import org.distill4j.model.Features;

/**
 * One epoch of training: batches from the loader, forward inside the gradient collector, named loss terms
 * from the objective, backward, SGD step. Everything a step allocates lives in a per-step sub-manager that
 * is closed when the step ends, so memory stays flat.
 */
public final class Trainer {
    private final List<Network> models;
    private final NDManager manager;
    private final ParameterStore parameters;
    private final TrainObjective objective;
    private final List<SgdMomentum> optimizers;
    private final LearningRateSchedule schedule;
    private final TrainListener listener;

    public Trainer(Network model, NDManager manager, TrainObjective objective, SgdMomentum optimizer,
            LearningRateSchedule schedule, TrainListener listener) {
        this(List.of(model), manager, objective, List.of(optimizer), schedule, listener);
    }

    /**
     * Several networks trained together on the same batches (mutual learning: {@code objective.peers()} of them),
     * each with its own optimizer; one network when the lists hold one.
     */
    public Trainer(List<Network> models, NDManager manager, TrainObjective objective, List<SgdMomentum> optimizers,
            LearningRateSchedule schedule, TrainListener listener) {
        if (models.size() != optimizers.size() || models.size() != objective.peers()) {
            throw new IllegalArgumentException(models.size() + " networks and " + optimizers.size() + " optimizers for "
                    + "an objective training " + objective.peers());
        }
        this.models = List.copyOf(models);
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
        this.objective = objective;
        this.optimizers = List.copyOf(optimizers);
        this.schedule = schedule;
        this.listener = listener;
    }

    /** Data and batching of one epoch. */
    public record EpochData(ImageDataset train, int batchSize, Augmentation augmentation, long seed,
            float[] mean, float[] std, int maxBatches) {}

    /** Writes a checkpoint inside an epoch. */
    @FunctionalInterface
    public interface MidEpochCheckpoint {
        void save(EpochProgress progress) throws java.io.IOException;
    }

    /** Writes the checkpoints of networks trained together inside an epoch: one progress per network. */
    @FunctionalInterface
    public interface MidEpochCheckpoints {
        void save(List<EpochProgress> progress) throws java.io.IOException;
    }

    /**
     * Trains one epoch (1-based) and returns its figures; testTop1 is left NaN for the caller to fill. When the
     * objective has a view schedule (a teacher bank), it decides each image's augmentation.
     *
     * @param lastGood checkpoint named in the error if the loss becomes non-finite
     */
    public EpochStats trainEpoch(int epoch, int epochs, EpochData data, Path lastGood) {
        return trainEpoch(epoch, epochs, data, lastGood, EpochProgress.START, CheckpointPolicy.EPOCHS_ONLY, p -> {});
    }

    /**
     * Trains the rest of an epoch from {@code from} (as an uninterrupted epoch would: the same batches, the
     * same sums), handing its progress to {@code checkpoint} whenever {@code policy} says one is due.
     */
    public EpochStats trainEpoch(int epoch, int epochs, EpochData data, Path lastGood, EpochProgress from,
            CheckpointPolicy policy, MidEpochCheckpoint checkpoint) {
        return trainEpoch(epoch, epochs, data, lastGood, List.of(from), policy, p -> checkpoint.save(p.get(0))).get(0);
    }

    /**
     * As {@link #trainEpoch(int, int, EpochData, Path, EpochProgress, CheckpointPolicy, MidEpochCheckpoint)} for
     * every network trained together: they see the same batches; each has its own sums, figures and progress. The
     * progress bar shows the first network's.
     */
    public List<EpochStats> trainEpoch(int epoch, int epochs, EpochData data, Path lastGood, List<EpochProgress> from,
            CheckpointPolicy policy, MidEpochCheckpoints checkpoint) {
        int n = models.size();
        EpochProgress first = from.get(0);
        BatchLoader.Builder builder = BatchLoader.builder()
                .setDataset(data.train())
                .setBatchSize(data.batchSize())
                .optAugmentation(data.augmentation())
                .optShuffle(true)
                .optSeed(data.seed())
                .optEpoch(epoch)
                .optDropLast(true)
                .optNormalization(data.mean(), data.std())
                .optViews(objective.views())
                .optSkipBatches(first.batchesDone());
        if (data.maxBatches() > 0) {
            builder.optMaxBatches(data.maxBatches());
        }
        try (BatchLoader loader = builder.build()) {
            int batches = first.batchesDone() + loader.numBatches();
            listener.onEpochStart(epoch, epochs, batches);
            List<Map<String, Double>> termSums = new ArrayList<>();
            double[] lossSum = new double[n];
            long[] correct = new long[n];
            for (int m = 0; m < n; m++) {
                termSums.add(new LinkedHashMap<>(from.get(m).termSums()));
                lossSum[m] = from.get(m).lossSum();
                correct[m] = from.get(m).correct();
            }
            long seen = first.seen();
            double lr = schedule.at(epoch - 1 + (double) first.batchesDone() / Math.max(1, batches));
            long start = System.nanoTime();
            long lastSave = start;
            int savedAt = first.batchesDone();
            for (int b = first.batchesDone(); loader.hasNext(); b++) {
                HostBatch batch = loader.next();
                double t = epoch - 1 + (double) b / batches;
                lr = schedule.at(t);
                try (NDManager step = manager.newSubManager()) {
                    NDList arrays = batch.toNDList(step);
                    List<StepResult> rs = step(arrays.get(0), arrays.get(1),
                            new TrainObjective.Step(batch.indices(), batch.views(), epoch, b), (float) lr,
                            (float) schedule.momentumAt(t), lastGood);
                    for (int m = 0; m < n; m++) {
                        Map<String, Double> sums = termSums.get(m);
                        rs.get(m).terms().forEach((k, v) -> sums.merge(k, v, Double::sum));
                        lossSum[m] += rs.get(m).total();
                        correct[m] += rs.get(m).correct();
                    }
                }
                seen += batch.batchSize();
                long now = System.nanoTime();
                double secs = first.seconds() + (now - start) / 1e9;
                listener.onBatch(epoch, b + 1, batches, lossSum[0] / (b + 1), (double) correct[0] / seen, seen / secs);
                if (b + 1 < batches && policy.due(b + 1 - savedAt, now - lastSave)) {
                    List<EpochProgress> progress = new ArrayList<>();
                    for (int m = 0; m < n; m++) {
                        progress.add(new EpochProgress(b + 1, termSums.get(m), lossSum[m], correct[m], seen, secs,
                                first.loaderWaitSec() + loader.waitNanos() / 1e9));
                    }
                    try {
                        checkpoint.save(progress);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e.getMessage(), e);
                    }
                    savedAt = b + 1;
                    lastSave = System.nanoTime();
                }
            }
            double seconds = first.seconds() + (System.nanoTime() - start) / 1e9;
            int count = Math.max(1, batches);
            List<EpochStats> out = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                Map<String, Double> termMeans = new LinkedHashMap<>();
                termSums.get(m).forEach((k, v) -> termMeans.put(k, v / count));
                out.add(new EpochStats(epoch, lr, termMeans, lossSum[m] / count, seen == 0 ? 0 : (double) correct[m] / seen,
                        Double.NaN, seen / seconds, seconds, first.loaderWaitSec() + loader.waitNanos() / 1e9));
            }
            return out;
        }
    }

    private record StepResult(Map<String, Double> terms, double total, long correct) {}

    /**
     * One training step on a batch outside any epoch (benchmarks, a user's own loop): the objective's
     * preparation (the teacher), forward, loss, backward and the SGD update at this learning rate and momentum,
     * exactly as in {@link #trainEpoch}. Returns the total loss. Use {@link LearningRateSchedule#at} and
     * {@link LearningRateSchedule#momentumAt} for a step's values under a schedule (one-cycle varies both).
     */
    public double trainStep(NDArray images, NDArray labels, float lr, float momentum) {
        return trainStep(images, labels, TrainObjective.Step.NONE, lr, momentum);
    }

    /** As {@link #trainStep(NDArray, NDArray, float, float)}, for a batch of known records and views (a bank). */
    public double trainStep(NDArray images, NDArray labels, TrainObjective.Step step, float lr, float momentum) {
        return step(images, labels, step, lr, momentum, null).get(0).total();
    }

    private List<StepResult> step(NDArray images, NDArray labels, TrainObjective.Step step, float lr, float momentum,
            Path lastGood) {
        if (models.size() > 1) {
            return mutualStep(images, labels, step, lr, momentum, lastGood);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        double total;
        long correct;
        TrainObjective.StudentLoss studentLoss = objective.prepare(images, labels, step);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Features out = models.get(0).features(parameters, images, true);
            LossTerms terms = studentLoss.apply(out);
            NDArray loss = terms.total();
            total = loss.getFloat();
            terms.terms().forEach((k, v) -> values.put(k, (double) v.getFloat()));
            if (!Double.isFinite(total)) {
                throw new NonFiniteLossException(step.epoch(), step.batch() + 1, values.toString(), lastGood);
            }
            collector.backward(loss);
            correct = CrossEntropy.correct(out.logits(), labels);
        }
        optimizers.get(0).step(lr, momentum);
        return List.of(new StepResult(values, total, correct));
    }

    /**
     * Every network's forward pass and loss in one gradient collector (DJL allows one at a time), one backward pass
     * of their sum, then every network's own update. Each loss reads the others' outputs detached, so each network's
     * gradient is that of its own loss alone.
     */
    private List<StepResult> mutualStep(NDArray images, NDArray labels, TrainObjective.Step step, float lr,
            float momentum, Path lastGood) {
        List<StepResult> results = new ArrayList<>();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            List<Features> outs = new ArrayList<>();
            for (Network m : models) {
                outs.add(m.features(parameters, images, true));
            }
            List<LossTerms> losses = objective.peerLosses(outs, labels);
            NDArray sum = null;
            for (int m = 0; m < models.size(); m++) {
                LossTerms terms = losses.get(m);
                NDArray loss = terms.total();
                Map<String, Double> values = new LinkedHashMap<>();
                terms.terms().forEach((k, v) -> values.put(k, (double) v.getFloat()));
                double total = loss.getFloat();
                if (!Double.isFinite(total)) {
                    throw new NonFiniteLossException(step.epoch(), step.batch() + 1, "peer " + (m + 1) + ": " + values,
                            lastGood);
                }
                results.add(new StepResult(values, total, CrossEntropy.correct(outs.get(m).logits(), labels)));
                sum = sum == null ? loss : sum.add(loss);
            }
            collector.backward(sum);
        }
        for (SgdMomentum o : optimizers) {
            o.step(lr, momentum);
        }
        return results;
    }

    /** The loss terms' names, as history columns. */
    public List<String> termNames() {
        return objective.termNames();
    }
}
