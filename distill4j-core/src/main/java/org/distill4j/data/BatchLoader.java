package org.distill4j.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Iterates one epoch of batches; the next batch is prepared on a background daemon thread (pure Java, no
 * NDArrays there) while the trainer uses the current one, so augmentation overlaps with the forward pass.
 *
 * <p>Reproducible by construction: the order is a permutation seeded from (seed, epoch) only, and each batch's
 * crop offsets and flips from (seed, epoch, batch index), so epoch e is identical whether or not the run was
 * resumed, and however far ahead the thread runs. Normalisation uses the mean/std given (the training set's,
 * also for the test set).
 */
public final class BatchLoader implements Iterator<HostBatch>, AutoCloseable {
    private final String datasetName;
    private final int[][] batches; // batch index - first -> record indices
    private final int first; // batches skipped at the start of the epoch
    private final BlockingQueue<Item> queue;
    private final Thread worker;
    private int delivered;
    private long waitNanos;
    private volatile boolean closed;

    /** What the worker hands over: a batch, or the exception that stopped it. */
    private record Item(HostBatch batch, Throwable error) {
    }

    private BatchLoader(Builder b) {
        ImageDataset dataset = b.dataset;
        this.datasetName = dataset.name();
        int[][] plan = EpochPlan.batches(dataset.size(), b.batchSize, b.shuffle, b.seed, b.epoch, b.dropLast, b.maxBatches);
        this.batches = Arrays.copyOfRange(plan, Math.min(b.skip, plan.length), plan.length);
        this.first = Math.min(b.skip, plan.length);
        this.queue = new ArrayBlockingQueue<>(b.prefetch);
        BatchAssembler assembler = new BatchAssembler(dataset, b.augmentation, b.mean, b.std);
        long seed = b.seed;
        int epoch = b.epoch;
        IntConsumer hook = b.beforeBatch;
        ViewSchedule views = b.views;
        this.worker = new Thread(() -> produce(assembler, seed, epoch, views, hook), "distill4j-batches-" + datasetName);
        worker.setDaemon(true); // an abandoned loader must never keep the JVM alive
        worker.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void produce(BatchAssembler assembler, long seed, int epoch, ViewSchedule views, IntConsumer hook) {
        try {
            for (int i = 0; i < batches.length && !closed; i++) {
                hook.accept(i);
                HostBatch batch = views != null
                        ? assembler.assembleView(batches[i], views, views.view(epoch))
                        : assembler.assemble(batches[i], new SplittableRandom(Seeds.mix(seed, epoch, first + i)));
                queue.put(new Item(batch, null));
            }
        } catch (InterruptedException e) {
            // close() interrupts a worker blocked on a full queue: just stop
        } catch (Throwable t) {
            try {
                queue.put(new Item(null, t)); // behind the batches already made, so next() reports it in order
            } catch (InterruptedException closedMeanwhile) {
                // close() came first: nobody is waiting for the error
            }
        }
    }

    /** Batches this epoch, after dropLast and maxBatches. */
    public int numBatches() {
        return batches.length;
    }

    /** Total time the consumer spent blocked in {@link #next()} waiting for the background thread. */
    public long waitNanos() {
        return waitNanos;
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < batches.length;
    }

    /** The next batch; rethrows, wrapped, an exception the background thread hit while preparing it. */
    @Override
    public HostBatch next() {
        if (closed) {
            throw new IllegalStateException("batch loader for " + datasetName + " is closed");
        }
        if (delivered >= batches.length) {
            throw new NoSuchElementException("all " + batches.length + " batches of this epoch were delivered");
        }
        long start = System.nanoTime();
        Item item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for batch " + delivered, e);
        } finally {
            waitNanos += System.nanoTime() - start;
        }
        if (item.error() != null) {
            close();
            throw new IllegalStateException("preparing batch " + delivered + " of " + datasetName + " failed: "
                    + item.error(), item.error());
        }
        delivered++;
        return item.batch();
    }

    /** Stops the background thread and waits for it; safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }

    /** For tests: whether the background thread is still running. */
    boolean workerAlive() {
        return worker.isAlive();
    }

    /** Record indices of every batch, in delivery order; for tests and bookkeeping. */
    int[][] plan() {
        return Arrays.stream(batches).map(int[]::clone).toArray(int[][]::new);
    }

    /** Settings for one epoch; {@code setX} are required, {@code optX} have the defaults listed. */
    public static final class Builder {
        private ImageDataset dataset;
        private int batchSize;
        private Augmentation augmentation = Augmentation.none();
        private boolean shuffle;
        private long seed;
        private int epoch;
        private boolean dropLast;
        private int maxBatches = Integer.MAX_VALUE;
        private float[] mean;
        private float[] std;
        private int prefetch = 2; // two ahead hides one slow batch without holding much memory
        private IntConsumer beforeBatch = i -> { };
        private ViewSchedule views;
        private int skip;

        private Builder() {
        }

        public Builder setDataset(ImageDataset dataset) { this.dataset = dataset; return this; }
        public Builder setBatchSize(int batchSize) { this.batchSize = batchSize; return this; }
        public Builder optAugmentation(Augmentation augmentation) { this.augmentation = augmentation; return this; }
        public Builder optShuffle(boolean shuffle) { this.shuffle = shuffle; return this; }
        public Builder optSeed(long seed) { this.seed = seed; return this; }
        public Builder optEpoch(int epoch) { this.epoch = epoch; return this; }
        public Builder optDropLast(boolean dropLast) { this.dropLast = dropLast; return this; }
        public Builder optMaxBatches(int maxBatches) { this.maxBatches = maxBatches; return this; }
        public Builder optPrefetch(int prefetch) { this.prefetch = prefetch; return this; }

        /**
         * Draws each image's augmentation from its (record, view) stream instead of the batch's, showing view
         * {@code views.view(epoch)} of every image; the batches carry their view numbers. Default: per batch.
         */
        public Builder optViews(ViewSchedule views) { this.views = views; return this; }

        /** Starts the epoch after its first {@code skip} batches (the rest are exactly as without skipping). */
        public Builder optSkipBatches(int skip) { this.skip = skip; return this; }

        /** Per-channel mean and std in [0,1] units; default the data set's own. */
        public Builder optNormalization(float[] mean, float[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /** Test seam: runs on the worker thread before each batch is prepared, with its index. */
        Builder optBeforeBatch(IntConsumer hook) { this.beforeBatch = Objects.requireNonNull(hook); return this; }

        public BatchLoader build() {
            Objects.requireNonNull(dataset, "setDataset(...) is required");
            Objects.requireNonNull(augmentation, "augmentation");
            if (batchSize <= 0) {
                throw new IllegalArgumentException("setBatchSize(...) must be > 0, got " + batchSize);
            }
            if (views != null && epoch < 1) {
                throw new IllegalArgumentException("optViews(...) needs optEpoch(e) with e >= 1, got " + epoch);
            }
            if (skip < 0) {
                throw new IllegalArgumentException("optSkipBatches(...) must be >= 0, got " + skip);
            }
            if (prefetch <= 0 || maxBatches < 0) {
                throw new IllegalArgumentException("prefetch must be > 0 and maxBatches >= 0, got " + prefetch
                        + " and " + maxBatches);
            }
            if (mean == null) {
                mean = dataset.channelMean();
                std = dataset.channelStd();
            }
            checkNormalization();
            return new BatchLoader(this);
        }

        private void checkNormalization() {
            if (mean.length != dataset.channels() || std.length != dataset.channels()) {
                throw new IllegalArgumentException("normalisation has " + mean.length + " means and " + std.length
                        + " stds but " + dataset.name() + " has " + dataset.channels() + " channels");
            }
            for (float s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("normalisation std must be > 0 in every channel, got "
                            + Arrays.toString(std) + "; a constant data set has std 0, so pass optNormalization(...)");
                }
            }
        }
    }
}
