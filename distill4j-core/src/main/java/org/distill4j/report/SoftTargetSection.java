package org.distill4j.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.distill4j.data.ImageDataset;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/**
 * "Why soft targets help": the teacher's class probabilities softmax(z / T) at rising temperatures for a few test
 * images, one bar chart each beside the image (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a
 * Neural Network", section 2).
 */
final class SoftTargetSection {
    static final String TITLE = "Why soft targets help";
    static final double[] TEMPERATURES = {1, 2, 4, 8};
    private static final int CHART_WIDTH = 660;
    private static final int CHART_HEIGHT = 380;
    private static final int SCALE = 4; // 28 or 32 pixels become 112 or 128: big enough to recognise
    private static final int MARGIN = 16;

    private SoftTargetSection() {}

    /** p = softmax(z / T), in doubles and shifted by max(z) so no exp overflows; sums to 1. */
    static double[] probabilities(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int k = 0; k < logits.length; k++) {
            p[k] = Math.exp((logits[k] - max) / temperature);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** Shannon entropy in bits: 0 for a one-hot distribution, log2 K for a uniform one. */
    static double entropyBits(double[] p) {
        double h = 0;
        for (double q : p) {
            h -= q > 0 ? q * Math.log(q) / Math.log(2) : 0;
        }
        return h;
    }

    /**
     * @param kdTemperature the temperature this experiment's KD variants use, or null if none distils logits
     * @param choice        a sentence saying how the images were chosen
     */
    static ReportSection build(List<Insights.Sample> samples, ImageDataset images, List<String> classNames,
            Double kdTemperature, String choice) throws IOException {
        List<Figure> figures = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Insights.Sample s = samples.get(i);
            BufferedImage chart = BitmapEncoder.getBufferedImage(chart(s, classNames));
            String caption = String.format(Locale.ROOT, "Test image #%d (true class %s): the teacher's probabilities "
                    + "softmax(z/T) at T = 1, 2, 4, 8.", s.testIndex(), classNames.get(s.label()));
            figures.add(new Figure("soft-targets-" + (i + 1) + ".png", caption,
                    Pictures.png(compose(images, i, s, classNames, chart))));
        }
        return new ReportSection(TITLE, text(samples, classNames, kdTemperature, choice), figures);
    }

    private static CategoryChart chart(Insights.Sample s, List<String> classNames) {
        CategoryChart chart = new CategoryChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title("True class: " + classNames.get(s.label())).yAxisTitle("teacher's probability").build();
        CategoryStyler style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setPlotBorderVisible(false);
        style.setLegendPosition(Styler.LegendPosition.OutsideE); // inside, it could hide a bar
        style.setYAxisMin(0.0);
        style.setYAxisMax(1.0);
        style.setYAxisDecimalPattern("0%");
        style.setAvailableSpaceFill(0.85);
        int longest = classNames.stream().mapToInt(String::length).max().orElse(0);
        // about 480 plot pixels beside the legend, 7-8 per character: longer names would run into each other
        style.setXAxisLabelRotation(longest * classNames.size() > 40 ? 30 : 0);
        Color[] colours = new Color[TEMPERATURES.length];
        for (int t = 0; t < TEMPERATURES.length; t++) {
            colours[t] = new Color(Colormap.rgb(0.05 + 0.8 * t / (TEMPERATURES.length - 1))); // T: dark -> light
            double[] p = probabilities(s.teacherLogits(), TEMPERATURES[t]);
            chart.addSeries("T = " + (int) TEMPERATURES[t], classNames, IntStream.range(0, p.length)
                    .mapToObj(k -> (Number) p[k]).toList());
        }
        style.setSeriesColors(colours);
        return chart;
    }

    /** The image on the left, labelled; the chart on the right. */
    private static BufferedImage compose(ImageDataset images, int position, Insights.Sample s, List<String> classNames,
            BufferedImage chart) {
        BufferedImage picture = Pictures.image(images, position, SCALE);
        int left = Math.max(picture.getWidth(), 120) + 2 * MARGIN;
        int height = Math.max(chart.getHeight(), picture.getHeight() + 80);
        BufferedImage out = Pictures.canvas(left + chart.getWidth(), height);
        Graphics2D g = Pictures.graphics(out);
        int top = (out.getHeight() - picture.getHeight()) / 2;
        g.drawImage(picture, (left - picture.getWidth()) / 2, top, null);
        Pictures.centred(g, "test image #" + s.testIndex(), left / 2, top - 10);
        g.setFont(Pictures.BOLD);
        Pictures.centred(g, classNames.get(s.label()), left / 2, top + picture.getHeight() + 20);
        g.drawImage(chart, left, 0, null);
        g.dispose();
        return out;
    }

    private static String text(List<Insights.Sample> samples, List<String> classNames, Double kdTemperature,
            String choice) {
        StringBuilder t = new StringBuilder();
        t.append("A classifier's logits z become class probabilities softmax(z/T). At T = 1, the temperature it "
                + "classifies with, a good teacher puts almost all the mass on one class. Dividing the logits by a "
                + "temperature T > 1 flattens the distribution without changing the ranking, so the small "
                + "probabilities of the wrong classes, which say what else the image resembles, become large enough "
                + "to learn from (Hinton, Vinyals & Dean 2015, section 2).");
        if (kdTemperature != null) {
            t.append(String.format(Locale.ROOT, " This experiment's distilled students match the teacher's "
                    + "distribution at T = %s; the KL term is multiplied by T^2 so its gradient keeps its size.",
                    number(kdTemperature)));
        }
        t.append("\n\n").append(example(samples.get(0), classNames));
        t.append("\n\nThe entropy of the teacher's distribution, averaged over the ").append(samples.size())
                .append(samples.size() == 1 ? " image" : " images").append(" shown: ");
        List<String> parts = new ArrayList<>();
        for (double temperature : TEMPERATURES) {
            double mean = samples.stream()
                    .mapToDouble(s -> entropyBits(probabilities(s.teacherLogits(), temperature))).average().orElse(0);
            parts.add(String.format(Locale.ROOT, "%.2f bits at T = %s", mean, number(temperature)));
        }
        t.append(String.join(", ", parts)).append(String.format(Locale.ROOT,
                " (%.2f bits would be uniform over the %d classes). %s", Math.log(classNames.size()) / Math.log(2),
                classNames.size(), choice));
        return t.toString();
    }

    /** The first image in numbers: its top three classes at T = 1 and the same classes at T = 4. */
    private static String example(Insights.Sample s, List<String> classNames) {
        double[] p1 = probabilities(s.teacherLogits(), 1);
        double[] p4 = probabilities(s.teacherLogits(), 4);
        List<Integer> ranked = IntStream.range(0, p1.length).boxed()
                .sorted(Comparator.comparingDouble((Integer k) -> -p1[k])).toList();
        List<Integer> top = ranked.subList(0, Math.min(3, ranked.size()));
        String label = classNames.get(s.label());
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "Take test image #%d (true class %s). At T = 1 the teacher says %s", s.testIndex(), label,
                listed(top, p1, classNames)));
        int others = p1.length - top.size();
        t.append(others > 0 ? String.format(Locale.ROOT, ", and %s for the other %d classes together",
                percent(rest(p1, top)), others) : "").append('.');
        if (top.get(0) != s.label()) {
            t.append(" (The teacher is wrong here.)");
        }
        t.append(" At T = 4 the same ranking is spread out: ").append(listed(top, p4, classNames));
        t.append(others > 0 ? String.format(Locale.ROOT, ", the others %s", percent(rest(p4, top))) : "").append('.');
        List<Integer> wrong = ranked.stream().filter(k -> k != s.label()).toList();
        t.append(String.format(Locale.ROOT, " A label says only \"%s\"; the soft target also says that this image "
                + "is closer to %s than to %s, so the student learns which wrong classes are close.",
                label, classNames.get(wrong.get(0)), classNames.get(wrong.get(wrong.size() - 1))));
        return t.toString();
    }

    private static String listed(List<Integer> classes, double[] p, List<String> classNames) {
        return String.join(", ", classes.stream().map(k -> classNames.get(k) + " " + percent(p[k])).toList());
    }

    private static double rest(double[] p, List<Integer> excluded) {
        double sum = 1;
        for (int k : excluded) {
            sum -= p[k];
        }
        return Math.max(0, sum);
    }

    static String percent(double p) {
        if (p < 0.001) {
            return "<0.1%";
        }
        return String.format(Locale.ROOT, p < 0.095 ? "%.1f%%" : "%.0f%%", 100 * p);
    }

    private static String number(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
