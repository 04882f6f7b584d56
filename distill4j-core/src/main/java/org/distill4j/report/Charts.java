package org.distill4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentResults.SeedRun;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.Variant;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts (two, and a third for born-again generations), as PNG figures drawn by XChart without a display. */
public final class Charts {
    // Okabe & Ito's colour-blind-safe palette (yellow left out: it vanishes on white); the teacher is black.
    // Variant i has colour i in both charts.
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
        new Color(0xCC79A7), new Color(0xD55E00), new Color(0x56B4E9), new Color(0x999999)};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;

    static {
        headless();
    }

    private Charts() {}

    /** Charts are drawn off-screen: no display is needed or wanted. Call before building a chart by hand. */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Test top-1 after each epoch, one line per variant (the mean of its seeds) and the teacher's own run. */
    public static Figure accuracyPerEpoch(ExperimentResults r) {
        XYChart chart = newChart("Test top-1 accuracy per epoch", "epoch", "test top-1 (%)");
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> x == Math.rint(x) ? Integer.toString(x.intValue()) : "");
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
        List<String> labels = ReportTable.labels(r.config());
        int drawn = 0;
        for (int i = 0; i < r.variants().size(); i++) {
            VariantResult v = r.variants().get(i);
            List<History> runs = new ArrayList<>();
            for (SeedRun run : v.runs()) {
                runs.add(History.read(run.dir().resolve("history.csv")));
            }
            History mean = History.mean(runs);
            if (!mean.isEmpty()) {
                XYSeries s = chart.addSeries(labels.get(i), toDoubles(mean.epochs()), mean.top1());
                s.setMarkerColor(PALETTE[i % PALETTE.length]).setLineColor(PALETTE[i % PALETTE.length]);
                // Markers help to read a few epochs and clutter many.
                s.setMarker(mean.epochs().length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                drawn++;
            }
        }
        History teacher = History.read(r.teacherRun() == null ? null : r.teacherRun().resolve("history.csv"));
        String teacherNote = " The teacher's training history is not available here.";
        if (!teacher.isEmpty()) {
            teacherNote = " The dashed black line is the teacher's own training run (its own data and test set).";
            XYSeries s = chart.addSeries(ReportTable.teacherLabel(r.teacher()) + ", its own training",
                    toDoubles(teacher.epochs()), teacher.top1());
            s.setMarkerColor(Color.BLACK).setLineColor(Color.BLACK);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 6f}, 0f));
            drawn++;
        }
        if (drawn == 0) {
            chart.setTitle(chart.getTitle() + " (no history.csv found)");
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
            chart.getStyler().setXAxisMin(1.0).setXAxisMax((double) Math.max(2, r.config().student().epochs()));
        }
        return new Figure("accuracy-per-epoch.png", "Test top-1 accuracy after each epoch: each student line is the "
                + "mean over its finished seeds." + teacherNote, png(chart));
    }

    /** Final top-1 (mean ± std over seeds) against parameter count, log scale: what each model costs. */
    public static Figure accuracyVsParams(List<ReportTable.Row> rows) {
        XYChart chart = newChart("Accuracy against model size", "trainable parameters (log scale)",
                "test top-1 (%)");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(12);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        // Bigger models are more accurate: the lower right is where the plot is empty.
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
        // A tick-label function would replace XChart's logarithmic tick placement; a pattern keeps it.
        chart.getStyler().setXAxisDecimalPattern("#,###");
        double minP = Double.MAX_VALUE;
        double maxP = 0;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            ReportTable.Row row = rows.get(i);
            if (row.params() <= 0 || Double.isNaN(row.top1Mean())) {
                continue;
            }
            String name = row.best() ? row.label() + " ★" : row.label();
            double[] x = {row.params()};
            double[] y = {row.top1Mean()};
            XYSeries s = row.teacher() ? chart.addSeries(name, x, y)
                    : chart.addSeries(name, x, y, new double[] {row.top1Std()});
            Color c = row.teacher() ? Color.BLACK : PALETTE[i % PALETTE.length];
            s.setMarkerColor(c).setLineColor(c);
            s.setMarker(row.teacher() ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
            minP = Math.min(minP, row.params());
            maxP = Math.max(maxP, row.params());
            minY = Math.min(minY, row.top1Mean() - row.top1Std());
            maxY = Math.max(maxY, row.top1Mean() + row.top1Std());
        }
        if (maxP > 0) {
            // Whole decades either side and a point of accuracy above and below, so no marker sits on the frame.
            chart.getStyler().setXAxisMin(Math.pow(10, Math.floor(Math.log10(minP) - 0.1)));
            chart.getStyler().setXAxisMax(Math.pow(10, Math.ceil(Math.log10(maxP) + 0.1)));
            chart.getStyler().setYAxisMin(Math.floor(minY - 1)).setYAxisMax(Math.ceil(maxY + 1));
        } else {
            chart.setTitle(chart.getTitle() + " (no finished run)");
            chart.getStyler().setXAxisMin(1e5).setXAxisMax(1e7);
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        }
        return new Figure("accuracy-vs-params.png", "Final test top-1 against the number of trainable parameters "
                + "(log scale); error bars are one standard deviation over seeds. Students share one architecture, "
                + "so they stand in one column: the gap to the teacher is what distillation tries to close.", png(chart));
    }

    /**
     * Born-again generations: final top-1 (mean ± std over seeds) by generation, one line per chain from a variant
     * trained without a student teacher (generation 0) to each last generation; null when the study has no chain.
     */
    public static Figure accuracyByGeneration(ExperimentResults r, List<ReportTable.Row> rows) {
        ExperimentConfig c = r.config();
        List<Variant> leaves = new ArrayList<>();
        for (Variant v : c.variants()) {
            boolean teaches = c.variants().stream().anyMatch(u -> u.bornAgain() && u.teacher().variant().equals(v.name()));
            if (v.bornAgain() && !teaches) {
                leaves.add(v);
            }
        }
        if (leaves.isEmpty()) {
            return null;
        }
        XYChart chart = newChart("Accuracy by born-again generation", "generation", "test top-1 (%)");
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> x == Math.rint(x) ? Integer.toString(x.intValue()) : "");
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        int maxGen = 1;
        for (int i = 0; i < leaves.size(); i++) {
            List<Variant> chain = new ArrayList<>();
            for (Variant v = leaves.get(i); v != null; v = v.bornAgain() ? c.variant(v.teacher().variant()) : null) {
                chain.add(0, v);
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (Variant v : chain) {
                ReportTable.Row row = rows.stream().filter(w -> !w.teacher() && w.variant().equals(v.name()))
                        .findFirst().orElse(null);
                if (row == null || Double.isNaN(row.top1Mean())) {
                    continue;
                }
                double std = Double.isNaN(row.top1Std()) ? 0 : row.top1Std();
                x.add((double) c.generation(v));
                y.add(row.top1Mean());
                e.add(std);
                minY = Math.min(minY, row.top1Mean() - std);
                maxY = Math.max(maxY, row.top1Mean() + std);
                maxGen = Math.max(maxGen, c.generation(v));
            }
            if (x.isEmpty()) {
                continue;
            }
            String name = chain.get(0).name() + " → " + String.join(" → ",
                    chain.subList(1, chain.size()).stream().map(Variant::name).toList());
            XYSeries s = chart.addSeries(name, x, y, e);
            s.setMarkerColor(PALETTE[i % PALETTE.length]).setLineColor(PALETTE[i % PALETTE.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (maxY > -Double.MAX_VALUE) {
            chart.getStyler().setYAxisMin(Math.floor(minY - 1)).setYAxisMax(Math.ceil(maxY + 1));
        } else {
            chart.setTitle(chart.getTitle() + " (no finished run)");
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        }
        chart.getStyler().setXAxisMin(-0.25).setXAxisMax(maxGen + 0.25);
        return new Figure("accuracy-by-generation.png", "Final test top-1 by born-again generation: generation k+1 is "
                + "distilled from generation k's student of the same seed; points are means over the finished seeds, "
                + "error bars one standard deviation.", png(chart));
    }

    /** A chart as PNG bytes. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart '" + chart.getTitle() + "' as PNG", e);
        }
    }

    private static XYChart newChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBorderVisible(false)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18))
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14))
                .setLegendBorderColor(new Color(0xDDDDDD));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14))
                .setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setPlotGridLinesColor(new Color(0xE5E5E5)).setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> String.format(Locale.ROOT, "%.1f", y));
        return chart;
    }

    private static double[] toDoubles(int[] xs) {
        double[] d = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            d[i] = xs[i];
        }
        return d;
    }
}
