package org.distill4j.train;

import java.nio.file.Path;

/** Training stopped because the loss became NaN or infinite; says where and which checkpoint is still good. */
public final class NonFiniteLossException extends RuntimeException {
    private final int epoch;
    private final int batch;

    public NonFiniteLossException(int epoch, int batch, String terms, Path lastGoodCheckpoint) {
        super("loss became non-finite at epoch " + epoch + ", batch " + batch + " (" + terms + "). "
                + (lastGoodCheckpoint == null
                        ? "No checkpoint was written yet. "
                        : "The last good checkpoint is " + lastGoodCheckpoint + ". ")
                + "Lower --lr (or add warm-up) and train again, or --resume from the checkpoint.");
        this.epoch = epoch;
        this.batch = batch;
    }

    public int epoch() {
        return epoch;
    }

    public int batch() {
        return batch;
    }
}
