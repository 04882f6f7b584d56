package org.distill4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
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
    private final Network model;
    private final NDManager manager;
    private final ParameterStore parameters;
    private final TrainObjective objective;
    private final SgdMomentum optimizer;
    private final LearningRateSchedule schedule;
    private final TrainListener listener;

    public Trainer(Network model, NDManager manager, TrainObjective objective, SgdMomentum optimizer,
            LearningRateSchedule schedule, TrainListener listener) {
        this.model = model;
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
        this.objective = objective;
        this.optimizer = optimizer;
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
                .optSkipBatches(from.batchesDone());
        if (data.maxBatches() > 0) {
            builder.optMaxBatches(data.maxBatches());
        }
        try (BatchLoader loader = builder.build()) {
            int batches = from.batchesDone() + loader.numBatches();
            listener.onEpochStart(epoch, epochs, batches);
            Map<String, Double> termSums = new LinkedHashMap<>(from.termSums());
            double lossSum = from.lossSum();
            long correct = from.correct();
            long seen = from.seen();
            double lr = schedule.at(epoch - 1 + (double) from.batchesDone() / Math.max(1, batches));
            long start = System.nanoTime();
            long lastSave = start;
            int savedAt = from.batchesDone();
            for (int b = from.batchesDone(); loader.hasNext(); b++) {
                HostBatch batch = loader.next();
                double t = epoch - 1 + (double) b / batches;
                lr = schedule.at(t);
                try (NDManager step = manager.newSubManager()) {
                    NDList arrays = batch.toNDList(step);
                    StepResult r = step(arrays.get(0), arrays.get(1),
                            new TrainObjective.Step(batch.indices(), batch.views(), epoch, b), (float) lr,
                            (float) schedule.momentumAt(t), lastGood);
                    r.terms().forEach((k, v) -> termSums.merge(k, v, Double::sum));
                    lossSum += r.total();
                    correct += r.correct();
                }
                seen += batch.batchSize();
                long now = System.nanoTime();
                double secs = from.seconds() + (now - start) / 1e9;
                listener.onBatch(epoch, b + 1, batches, lossSum / (b + 1), (double) correct / seen, seen / secs);
                if (b + 1 < batches && policy.due(b + 1 - savedAt, now - lastSave)) {
                    try {
                        checkpoint.save(new EpochProgress(b + 1, termSums, lossSum, correct, seen, secs,
                                from.loaderWaitSec() + loader.waitNanos() / 1e9));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e.getMessage(), e);
                    }
                    savedAt = b + 1;
                    lastSave = System.nanoTime();
                }
            }
            double seconds = from.seconds() + (System.nanoTime() - start) / 1e9;
            int n = Math.max(1, batches);
            Map<String, Double> termMeans = new LinkedHashMap<>();
            termSums.forEach((k, v) -> termMeans.put(k, v / n));
            return new EpochStats(epoch, lr, termMeans, lossSum / n, seen == 0 ? 0 : (double) correct / seen,
                    Double.NaN, seen / seconds, seconds, from.loaderWaitSec() + loader.waitNanos() / 1e9);
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
        return step(images, labels, step, lr, momentum, null).total();
    }

    private StepResult step(NDArray images, NDArray labels, TrainObjective.Step step, float lr, float momentum,
            Path lastGood) {
        Map<String, Double> values = new LinkedHashMap<>();
        double total;
        long correct;
        TrainObjective.StudentLoss studentLoss = objective.prepare(images, labels, step);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Features out = model.features(parameters, images, true);
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
        optimizer.step(lr, momentum);
        return new StepResult(values, total, correct);
    }

    /** The loss terms' names, as history columns. */
    public List<String> termNames() {
        return objective.termNames();
    }
}
