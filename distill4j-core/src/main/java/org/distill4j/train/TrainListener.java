package org.distill4j.train;

/** Observes training; progress bars, history files and tests hook in here instead of into the loop. */
public interface TrainListener {

    default void onEpochStart(int epoch, int epochs, int batches) {}

    /**
     * @param batch      1-based index in the epoch
     * @param meanLoss   running mean of the total loss this epoch
     * @param meanTop1   running training accuracy this epoch, in [0, 1]
     * @param imagesPerSec running throughput this epoch
     */
    default void onBatch(int epoch, int batch, int batches, double meanLoss, double meanTop1, double imagesPerSec) {}

    default void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {}

    default void onMessage(String message) {}

    /**
     * Progress of work outside the epochs, such as building a teacher bank.
     *
     * @param task        what is being done, e.g. "teacher bank"
     * @param done        items finished
     * @param total       items in all
     * @param itemsPerSec running rate
     */
    default void onProgress(String task, long done, long total, double itemsPerSec) {}

    TrainListener NONE = new TrainListener() {};

    /** Forwards every event to each listener in turn. */
    static TrainListener of(java.util.List<TrainListener> listeners) {
        return new TrainListener() {
            @Override
            public void onEpochStart(int epoch, int epochs, int batches) {
                listeners.forEach(l -> l.onEpochStart(epoch, epochs, batches));
            }

            @Override
            public void onBatch(int epoch, int batch, int batches, double loss, double top1, double ips) {
                listeners.forEach(l -> l.onBatch(epoch, batch, batches, loss, top1, ips));
            }

            @Override
            public void onEpochEnd(EpochStats stats, int epochs, double bestTop1) {
                listeners.forEach(l -> l.onEpochEnd(stats, epochs, bestTop1));
            }

            @Override
            public void onMessage(String message) {
                listeners.forEach(l -> l.onMessage(message));
            }

            @Override
            public void onProgress(String task, long done, long total, double itemsPerSec) {
                listeners.forEach(l -> l.onProgress(task, done, total, itemsPerSec));
            }
        };
    }
}
