package org.distill4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One prepared batch in host memory: data normalised as (x/255 - mean[c]) / std[c], layout (B, C, H, W).
 * Plain arrays so the background thread never touches NDArrays (grad mode and native memory are per thread);
 * {@link #toNDList} is the single hand-over to the engine.
 *
 * @param data      (B, C, H, W) float32, normalised
 * @param labels    (B,) class ids
 * @param indices   (B,) which records of the data set these are, for per-sample bookkeeping (teacher banks)
 * @param views     (B,) which view of its record each image is (see {@link ViewSchedule}), or null when the
 *                  augmentation was drawn per batch
 * @param batchSize B, which is smaller than the loader's batch size for a last partial batch
 */
public record HostBatch(float[] data, int[] labels, int[] indices, int[] views, int batchSize, int channels, int height, int width) {
    public HostBatch {
        if (data.length != batchSize * channels * height * width || labels.length != batchSize
                || indices.length != batchSize || (views != null && views.length != batchSize)) {
            throw new IllegalArgumentException("batch arrays do not match shape (" + batchSize + ", " + channels + ", "
                    + height + ", " + width + "): data " + data.length + ", labels " + labels.length
                    + ", indices " + indices.length + ", views " + (views == null ? "none" : views.length));
        }
    }

    /** A batch whose augmentation was drawn per batch (no views). */
    public HostBatch(float[] data, int[] labels, int[] indices, int batchSize, int channels, int height, int width) {
        this(data, labels, indices, null, batchSize, channels, height, width);
    }

    /** Creates (data float32 (B, C, H, W), labels int64 (B,)) in the given manager. Call on the training thread. */
    public NDList toNDList(NDManager manager) {
        NDArray x = manager.create(data, new Shape(batchSize, channels, height, width));
        long[] y = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            y[i] = labels[i];
        }
        return new NDList(x, manager.create(y));
    }
}
