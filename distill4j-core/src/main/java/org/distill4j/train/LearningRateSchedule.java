package org.distill4j.train;

import org.distill4j.config.TrainConfig;

/**
 * Learning rate and momentum as pure functions of training progress t (epochs done, fractional: epoch +
 * batch/batches), so a resumed run gets exactly the values of an uninterrupted one.
 *
 * <ul>
 *   <li>warm-up (Goyal et al. 2017): linear from lr/10 to lr over the first {@code warmupEpochs};
 *   <li>cosine (Loshchilov &amp; Hutter 2017, no restarts): lr * (1 + cos(pi * s)) / 2, s the fraction of
 *       the post-warm-up epochs done;
 *   <li>multistep: lr * lrDecay^k, k the number of milestones already passed;
 *   <li>onecycle (Smith &amp; Topin 2019), with the constants of PyTorch's {@code OneCycleLR}: from lr/25 up to lr
 *       over the first {@code onecyclePeak} of training, then down to lr/(25 * 1e4), each phase a half cosine;
 *       momentum moves the other way, from momentum + 0.05 down to momentum - 0.05 at the peak and back (0.95,
 *       0.85 for momentum 0.9, PyTorch's defaults). PyTorch counts whole steps; here the phases are fractions
 *       of t / epochs, which differs from it by at most one step's worth.
 * </ul>
 * Every other schedule keeps the momentum constant.
 */
public final class LearningRateSchedule {
    static final double ONECYCLE_START_DIVISOR = 25;
    static final double ONECYCLE_END_DIVISOR = 1e4;
    static final double ONECYCLE_MOMENTUM_SWING = 0.05;

    private final TrainConfig config;

    public LearningRateSchedule(TrainConfig config) {
        this.config = config;
    }

    public double at(double t) {
        double lr = config.lr();
        if ("onecycle".equals(config.schedule())) {
            double start = lr / ONECYCLE_START_DIVISOR;
            double end = start / ONECYCLE_END_DIVISOR;
            double p = progress(t);
            double peak = config.onecyclePeak();
            return p < peak ? halfCosine(start, lr, p / peak) : halfCosine(lr, end, (p - peak) / (1 - peak));
        }
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

    /** The SGD momentum at progress t: constant except under onecycle. */
    public double momentumAt(double t) {
        double mu = config.momentum();
        if (!"onecycle".equals(config.schedule())) {
            return mu;
        }
        double high = mu + ONECYCLE_MOMENTUM_SWING;
        double low = mu - ONECYCLE_MOMENTUM_SWING;
        double p = progress(t);
        double peak = config.onecyclePeak();
        return p < peak ? halfCosine(high, low, p / peak) : halfCosine(low, high, (p - peak) / (1 - peak));
    }

    /** Whether the momentum changes during training (then the optimizer must not keep lr inside its velocity). */
    public boolean cyclesMomentum() {
        return "onecycle".equals(config.schedule());
    }

    private double progress(double t) {
        return Math.min(1.0, Math.max(0.0, t / config.epochs()));
    }

    /** From a (s = 0) to b (s = 1) along half a cosine. */
    private static double halfCosine(double a, double b, double s) {
        return b + (a - b) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, s)));
    }

    private int[] milestones() {
        if (!config.milestones().isEmpty()) {
            return config.milestones().stream().mapToInt(Integer::intValue).toArray();
        }
        // The classic CIFAR recipe decays at 50% and 75% of training.
        return new int[] {config.epochs() / 2, config.epochs() * 3 / 4};
    }
}
