package org.distill4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.run.AtomicFiles;

/**
 * history.csv: one row per finished epoch, one column per loss term. The whole file is rewritten
 * atomically after each epoch (it is small), and a resumed run drops rows past its checkpoint so the
 * file always matches the model on disk.
 */
public final class HistoryWriter implements TrainListener {
    private final Path file;
    private final List<String> termNames;
    private final List<String> rows = new ArrayList<>();

    public HistoryWriter(Path file, List<String> termNames, int keepEpochsUpTo) throws IOException {
        this.file = file;
        this.termNames = List.copyOf(termNames);
        if (keepEpochsUpTo > 0 && Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int comma = line.indexOf(',');
                if (comma > 0 && Integer.parseInt(line.substring(0, comma)) <= keepEpochsUpTo) {
                    rows.add(line);
                }
            }
        }
    }

    public String header() {
        List<String> cols = new ArrayList<>(List.of("epoch", "lr", "train_loss"));
        termNames.forEach(t -> cols.add("loss_" + t));
        cols.addAll(List.of("train_top1", "test_top1", "images_per_sec", "epoch_seconds", "loader_wait_seconds"));
        return String.join(",", cols);
    }

    @Override
    public void onEpochEnd(EpochStats s, int epochs, double bestTop1) {
        StringBuilder row = new StringBuilder();
        row.append(s.epoch()).append(',').append(fmt(s.lr())).append(',').append(fmt(s.trainLoss()));
        for (String t : termNames) {
            row.append(',').append(fmt(s.terms().getOrDefault(t, Double.NaN)));
        }
        row.append(',').append(fmt(s.trainTop1())).append(',').append(fmt(s.testTop1()))
                .append(',').append(fmt(s.imagesPerSec())).append(',').append(fmt(s.seconds()))
                .append(',').append(fmt(s.loaderWaitSec()));
        rows.add(row.toString());
        try {
            AtomicFiles.writeString(file, header() + "\n" + String.join("\n", rows) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e); // AtomicFiles says what, where and why
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
