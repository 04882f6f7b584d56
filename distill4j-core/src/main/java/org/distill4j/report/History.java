package org.distill4j.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test top-1 column of history.csv files, and its mean over the seeds of a variant. A missing or unreadable
 * file gives an empty curve: a report is still written when a run died before its first epoch.
 *
 * @param epochs the epochs, ascending
 * @param top1   test top-1 after each epoch, in percent
 */
record History(int[] epochs, double[] top1) {

    static final History EMPTY = new History(new int[0], new double[0]);

    boolean isEmpty() {
        return epochs.length == 0;
    }

    static History read(Path csv) {
        if (csv == null || !Files.isRegularFile(csv)) {
            return EMPTY;
        }
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return EMPTY;
            }
            List<String> header = Arrays.asList(lines.get(0).split(","));
            int epochCol = header.indexOf("epoch");
            int top1Col = header.indexOf("test_top1");
            if (epochCol < 0 || top1Col < 0) {
                return EMPTY;
            }
            Map<Integer, Double> byEpoch = new TreeMap<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                if (cells.length > Math.max(epochCol, top1Col)) {
                    double v = Double.parseDouble(cells[top1Col]);
                    if (Double.isFinite(v)) {
                        byEpoch.put(Integer.parseInt(cells[epochCol].strip()), 100 * v);
                    }
                }
            }
            return of(byEpoch);
        } catch (IOException | RuntimeException e) {
            return EMPTY;
        }
    }

    /** Per epoch, the mean over the curves that reached it (a seed that stopped early drops out of the mean). */
    static History mean(List<History> runs) {
        Map<Integer, double[]> sums = new TreeMap<>(); // epoch -> {sum, count}
        for (History h : runs) {
            for (int i = 0; i < h.epochs.length; i++) {
                double[] s = sums.computeIfAbsent(h.epochs[i], e -> new double[2]);
                s[0] += h.top1[i];
                s[1]++;
            }
        }
        Map<Integer, Double> means = new TreeMap<>();
        sums.forEach((e, s) -> means.put(e, s[0] / s[1]));
        return of(means);
    }

    private static History of(Map<Integer, Double> byEpoch) {
        List<Integer> es = new ArrayList<>(byEpoch.keySet());
        return new History(es.stream().mapToInt(Integer::intValue).toArray(),
                es.stream().mapToDouble(byEpoch::get).toArray());
    }
}
