package org.distill4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows training progress: on a terminal, one line redrawn in place (loss, accuracy, images/s, ETA);
 * in a log (CI, a pipe), a line at every tenth of an epoch so logs stay short.
 */
public final class ProgressBar implements TrainListener {
    private static final int BAR = 24;
    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private long lastDraw;
    private int lastTenth;
    private long epochStart;

    public ProgressBar(PrintStream out, boolean interactive, String label) {
        this.out = out;
        this.interactive = interactive;
        this.label = label;
    }

    /** A bar on stderr, redrawn in place when stderr is a terminal. */
    public static ProgressBar onStderr(String label) {
        return new ProgressBar(System.err, System.console() != null, label);
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        lastDraw = 0;
        lastTenth = 0;
        epochStart = System.nanoTime();
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double meanLoss, double meanTop1, double imagesPerSec) {
        double frac = (double) batch / batches;
        long now = System.nanoTime();
        int tenth = (int) (frac * 10);
        if (interactive) {
            if (batch < batches && now - lastDraw < 200_000_000L) {
                return;
            }
        } else if (tenth == lastTenth || batch == batches) {
            return;
        }
        lastDraw = now;
        lastTenth = tenth;
        int filled = (int) Math.round(frac * BAR);
        double etaSec = (now - epochStart) / 1e9 / batch * (batches - batch);
        String line = String.format(Locale.ROOT, "%s epoch %d [%s%s] %3.0f%% loss %.4f acc %5.1f%% %6.0f img/s eta %s",
                label, epoch, "#".repeat(filled), ".".repeat(BAR - filled), 100 * frac, meanLoss, 100 * meanTop1,
                imagesPerSec, duration(etaSec));
        if (interactive) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEpochEnd(EpochStats s, int epochs, double bestTop1) {
        if (interactive) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        long rss = ResidentMemory.bytes();
        out.println(String.format(Locale.ROOT,
                "%s epoch %d/%d  loss %.4f  train %5.1f%%  test %s  (best %5.2f%%)  lr %.4g  %.0f img/s  %s"
                        + "  loader wait %.2f s%s",
                label, s.epoch(), epochs, s.trainLoss(), 100 * s.trainTop1(),
                Double.isNaN(s.testTop1()) ? "     -" : String.format(Locale.ROOT, "%5.2f%%", 100 * s.testTop1()),
                100 * bestTop1,
                s.lr(), s.imagesPerSec(), duration(s.seconds()), s.loaderWaitSec(),
                rss < 0 ? "" : String.format(Locale.ROOT, "  RSS %.0f MB", rss / 1e6)));
        out.flush();
    }

    @Override
    public void onProgress(String task, long done, long total, double itemsPerSec) {
        double frac = total <= 0 ? 0 : (double) done / total;
        long now = System.nanoTime();
        int tenth = (int) (frac * 10);
        boolean last = done >= total;
        if (interactive ? (!last && now - lastDraw < 200_000_000L) : (tenth == lastTenth && !last)) {
            return;
        }
        lastDraw = now;
        lastTenth = tenth;
        int filled = (int) Math.round(frac * BAR);
        double etaSec = itemsPerSec > 0 ? (total - done) / itemsPerSec : 0;
        String line = String.format(Locale.ROOT, "%s %s [%s%s] %3.0f%% %,d/%,d %6.1f/s eta %s", label, task,
                "#".repeat(filled), ".".repeat(BAR - filled), 100 * frac, done, total, itemsPerSec, duration(etaSec));
        if (interactive) {
            out.print("\r" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
        if (last) {
            lastTenth = 0;
        }
    }

    @Override
    public void onMessage(String message) {
        out.println(label + " " + message);
        out.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
