package org.distill4j.train;

import org.distill4j.config.TrainConfig;

/**
 * Learning rate as a pure function of training progress t (epochs done, fractional: epoch + batch/batches),
 * so a resumed run gets exactly the rates of an uninterrupted one.
 *
 * <ul>
 *   <li>warm-up (Goyal et al. 2017): linear from lr/10 to lr over the first {@code warmupEpochs};
 *   <li>cosine (Loshchilov &amp; Hutter 2017, no restarts): lr * (1 + cos(pi * s)) / 2, s the fraction of
 *       the post-warm-up epochs done;
 *   <li>multistep: lr * lrDecay^k, k the number of milestones already passed.
 * </ul>
 */
public final class LearningRateSchedule {
    private final TrainConfig config;

    public LearningRateSchedule(TrainConfig config) {
        this.config = config;
    }

    public double at(double t) {
        double lr = config.lr();
        int warmup = config.warmupEpochs();
        if (t < warmup) {
            return lr * (0.1 + 0.9 * t / warmup);
        }
        if ("cosine".equals(config.schedule())) {
            double s = (t - warmup) / (config.epochs() - warmup);
            return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, s)));
        }
        double factor = 1;
        for (int m : milestones()) {
            if (t >= m) {
                factor *= config.lrDecay();
            }
        }
        return lr * factor;
    }

    private int[] milestones() {
        if (!config.milestones().isEmpty()) {
            return config.milestones().stream().mapToInt(Integer::intValue).toArray();
        }
        // The classic CIFAR recipe decays at 50% and 75% of training.
        return new int[] {config.epochs() / 2, config.epochs() * 3 / 4};
    }
}
