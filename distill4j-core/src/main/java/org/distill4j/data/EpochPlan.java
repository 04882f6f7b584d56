package org.distill4j.data;

import java.util.SplittableRandom;

/** Which records make up each batch of one epoch: the part of loading that must be reproducible. */
final class EpochPlan {
    private EpochPlan() {
    }

    /**
     * @return batch index -> record indices. With shuffle, the order is a permutation seeded from (seed, epoch)
     *         alone; without, records in data set order.
     */
    static int[][] batches(int size, int batchSize, boolean shuffle, long seed, int epoch, boolean dropLast, int maxBatches) {
        int[] order;
        if (shuffle) {
            order = Seeds.permutation(size, new SplittableRandom(Seeds.mix(seed, epoch, -1)));
        } else {
            order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
        }
        int full = size / batchSize;
        int count = (dropLast || size % batchSize == 0) ? full : full + 1;
        count = Math.min(count, maxBatches);
        int[][] batches = new int[count][];
        for (int b = 0; b < count; b++) {
            int from = b * batchSize;
            int to = Math.min(size, from + batchSize);
            batches[b] = java.util.Arrays.copyOfRange(order, from, to);
        }
        return batches;
    }
}
