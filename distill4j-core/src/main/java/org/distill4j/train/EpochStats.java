package org.distill4j.train;

import java.util.Map;

/**
 * Figures of one finished epoch, as written to history.csv.
 *
 * @param epoch           1-based
 * @param lr              learning rate at the end of the epoch
 * @param terms           mean of each named loss term over the epoch's batches
 * @param trainLoss       mean total loss
 * @param trainTop1       training accuracy (augmented batches, train mode), in [0, 1]
 * @param testTop1        test accuracy after the epoch, in [0, 1]
 * @param imagesPerSec    training throughput (images / time spent in the epoch's steps)
 * @param seconds         wall time of the epoch's training part
 * @param loaderWaitSec   time the trainer waited for the batch loader
 */
public record EpochStats(
        int epoch,
        double lr,
        Map<String, Double> terms,
        double trainLoss,
        double trainTop1,
        double testTop1,
        double imagesPerSec,
        double seconds,
        double loaderWaitSec) {}
