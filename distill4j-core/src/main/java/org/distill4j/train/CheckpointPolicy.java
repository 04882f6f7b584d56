package org.distill4j.train;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.distill4j.config.ConfigException;

/**
 * When a run writes a checkpoint inside an epoch, on top of the one at every epoch's end: after a stretch of
 * wall time or a number of batches since the last one. The default bounds what a kill costs to about ten
 * minutes of training; resuming from such a checkpoint gives exactly the result of an uninterrupted run.
 *
 * @param seconds wall time between checkpoints (0: not by time)
 * @param batches batches between checkpoints (0: not by count)
 */
public record CheckpointPolicy(double seconds, int batches) {
    /** Every ten minutes. */
    public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(600, 0);
    /** Only at the end of each epoch. */
    public static final CheckpointPolicy EPOCHS_ONLY = new CheckpointPolicy(0, 0);

    private static final Pattern SPEC = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|min|h|b|batches|epoch)?");

    public CheckpointPolicy {
        if (!(seconds >= 0) || batches < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + seconds + " s, " + batches
                    + " batches");
        }
    }

    /**
     * Reads {@code 10m}, {@code 90s}, {@code 1h}, {@code 200b} (batches) or {@code epoch} (only at epoch ends).
     *
     * @throws ConfigException naming the accepted forms
     */
    public static CheckpointPolicy parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("epoch") || s.equals("0")) {
            return EPOCHS_ONLY;
        }
        Matcher m = SPEC.matcher(s);
        if (!m.matches() || m.group(2) == null || m.group(2).equals("epoch")) {
            throw new ConfigException("--checkpoint-every '" + spec + "' is not an interval; write minutes (10m), "
                    + "seconds (90s), hours (1h), batches (200b), or 'epoch' for epoch ends only");
        }
        double v = Double.parseDouble(m.group(1));
        switch (m.group(2)) {
            case "s":
                return new CheckpointPolicy(v, 0);
            case "m":
            case "min":
                return new CheckpointPolicy(v * 60, 0);
            case "h":
                return new CheckpointPolicy(v * 3600, 0);
            default:
                if (v != Math.rint(v) || v < 1) {
                    throw new ConfigException("--checkpoint-every '" + spec + "': a number of batches must be a "
                            + "whole number >= 1");
                }
                return new CheckpointPolicy(0, (int) v);
        }
    }

    /** Whether a checkpoint is due after this many batches and nanoseconds since the last one. */
    public boolean due(int batchesSince, long nanosSince) {
        return (batches > 0 && batchesSince >= batches) || (seconds > 0 && nanosSince >= seconds * 1e9);
    }

    @Override
    public String toString() {
        if (batches > 0) {
            return batches + " batches";
        }
        return seconds == 0 ? "epoch ends only" : String.format(Locale.ROOT, "%.0f s", seconds);
    }
}
