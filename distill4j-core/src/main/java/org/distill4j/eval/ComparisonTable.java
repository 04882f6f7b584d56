package org.distill4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The side-by-side table of trained models (top-1, parameters, size, latency, throughput) as plain text. */
public final class ComparisonTable {
    /** One row: a label (e.g. "teacher") and the run's metrics. */
    public record Row(String role, Metrics metrics) {}

    private ComparisonTable() {}

    public static String format(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"role", "model", "width", "top-1 %", "params", "size MB", "latency ms",
            "images/s", "ORT ms", "ORT images/s", "epochs", "train s"});
        for (Row r : rows) {
            Metrics m = r.metrics();
            cells.add(new String[] {r.role(), m.model(), m.width() > 0 ? Integer.toString(m.width()) : "-",
                String.format(Locale.ROOT, "%.2f", 100 * m.top1()),
                String.format(Locale.ROOT, "%,d", m.params()),
                String.format(Locale.ROOT, "%.2f", m.sizeBytes() / 1e6),
                Double.isNaN(m.latencyMs()) ? "-" : String.format(Locale.ROOT, "%.2f", m.latencyMs()),
                Double.isNaN(m.throughputImagesPerSec()) ? "-"
                        : String.format(Locale.ROOT, "%.0f", m.throughputImagesPerSec()),
                m.onnxLatencyMs() == null ? "-" : String.format(Locale.ROOT, "%.2f", m.onnxLatencyMs()),
                m.onnxImagesPerSec() == null ? "-" : String.format(Locale.ROOT, "%.0f", m.onnxImagesPerSec()),
                Integer.toString(m.epochs()),
                String.format(Locale.ROOT, "%.0f", m.trainSeconds())});
        }
        int[] widths = new int[cells.get(0).length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            String[] row = cells.get(r);
            for (int i = 0; i < row.length; i++) {
                String pad = " ".repeat(widths[i] - row[i].length());
                // Text columns left-aligned, numbers right-aligned.
                sb.append(i < 2 ? row[i] + pad : pad + row[i]).append(i + 1 < row.length ? "  " : "\n");
            }
            if (r == 0) {
                int total = java.util.Arrays.stream(widths).sum() + 2 * (widths.length - 1);
                sb.append("-".repeat(total)).append('\n');
            }
        }
        return sb.toString();
    }
}
