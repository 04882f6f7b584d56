package org.distill4j.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.TeacherNeeds;

/**
 * "Where the models look": per test image a grid of the teacher's and a student's spatial attention maps at
 * stages 1-4 (Zagoruyko &amp; Komodakis 2017) and the teacher's causal Integrated-Gradients mask, in viridis.
 */
final class AttentionSection {
    static final String TITLE = "Where the models look";
    static final int TILE = 96;
    private static final int LEFT = 78;   // row labels
    private static final int GAP = 10;
    private static final int HEAD = 40;   // two lines of column headers
    private static final int FOOT = 18;   // one line under each tile
    private static final int BAR = 64;    // colour bar and its labels
    private static final int COLUMNS = 6; // input, stages 1-4, IG mask

    private AttentionSection() {}

    /**
     * @param student     the student's views, or null when no student could be shown
     * @param studentName e.g. "variant seed, seed 1", or null
     * @param studentNote a sentence on which student is shown and why (or why none is)
     * @param needsSource a sentence saying where the IG settings come from
     */
    static ReportSection build(List<Insights.Sample> samples, ImageDataset images, List<String> classNames,
            ModelProbe.Views teacher, ModelProbe.Views student, String studentName, String studentNote,
            TeacherNeeds needs, String needsSource) throws IOException {
        List<Figure> figures = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Insights.Sample s = samples.get(i);
            String caption = String.format(Locale.ROOT, "Test image #%d (true class %s). Top row: the teacher's "
                    + "attention at stages 1-4 and its IG mask%s. Bright = high attention.", s.testIndex(),
                    classNames.get(s.label()), student == null ? "" : "; bottom row: the student (" + studentName
                    + "), with its cosine similarity to the teacher's map");
            figures.add(new Figure("attention-" + (i + 1) + ".png", caption,
                    Pictures.png(grid(images, i, classNames, teacher, student, studentName, needs))));
        }
        return new ReportSection(TITLE, text(teacher, student, studentNote, needs, needsSource), figures);
    }

    private static BufferedImage grid(ImageDataset images, int i, List<String> classNames, ModelProbe.Views teacher,
            ModelProbe.Views student, String studentName, TeacherNeeds needs) {
        int rows = student == null ? 1 : 2;
        BufferedImage out = Pictures.canvas(x(COLUMNS) + BAR, y(rows) + GAP / 2);
        Graphics2D g = Pictures.graphics(out);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        headers(g, images, teacher, needs);
        g.drawImage(Pictures.image(images, i, 1), x(0), y(0), TILE, TILE, null);
        Pictures.shrinkToFit(g, classNames.get(images.label(i)), TILE + GAP - 2);
        Pictures.centred(g, classNames.get(images.label(i)), x(0) + TILE / 2, y(0) + TILE + 14);
        g.setFont(Pictures.TEXT);
        rowLabel(g, "teacher", null, 0);
        for (int s = 0; s < 4; s++) {
            g.drawImage(Colormap.image(teacher.tiles()[i][s], TILE), x(1 + s), y(0), null);
        }
        g.drawImage(Colormap.image(teacher.mask()[i], TILE), x(5), y(0), null);
        Pictures.centred(g, kept(needs.causalTop()), x(5) + TILE / 2, y(0) + TILE + 14);
        if (student != null) {
            rowLabel(g, "student", studentName, 1);
            for (int s = 0; s < 4; s++) {
                g.drawImage(Colormap.image(student.tiles()[i][s], TILE), x(1 + s), y(1), null);
                double cos = cosine(teacher.maps()[i][s], student.maps()[i][s]);
                Pictures.centred(g, Double.isNaN(cos) ? "" : String.format(Locale.ROOT, "cos %.2f", cos),
                        x(1 + s) + TILE / 2, y(1) + TILE + 14);
            }
            predictions(g, classNames, teacher.logits()[i], student.logits()[i]);
        }
        g.drawImage(Colormap.bar(14, y(rows) - FOOT - GAP - y(0)), x(COLUMNS), y(0), null);
        g.drawString("high", x(COLUMNS) + 20, y(0) + 10);
        g.drawString("low", x(COLUMNS) + 20, y(rows) - FOOT - GAP);
        g.dispose();
        return out;
    }

    /** Above each column: what it shows, and at which resolution the network computed it. */
    private static void headers(Graphics2D g, ImageDataset images, ModelProbe.Views teacher, TeacherNeeds needs) {
        String[] names = {"input", "stage 1", "stage 2", "stage 3", "stage 4", "IG mask"};
        for (int c = 0; c < COLUMNS; c++) {
            String size = c == 0 ? images.height() + "x" + images.width()
                    : c < 5 ? shape(teacher.mapShapes()[c - 1])
                    : "stage " + needs.causalStage() + ", " + shape(teacher.maskShape());
            g.setFont(Pictures.BOLD);
            Pictures.centred(g, names[c], x(c) + TILE / 2, 16);
            g.setFont(Pictures.TEXT);
            Pictures.centred(g, size, x(c) + TILE / 2, 32);
        }
    }

    /** In the student row's first cell: what each model predicts for the image. */
    private static void predictions(Graphics2D g, List<String> classNames, float[] teacher, float[] student) {
        String[] lines = {"teacher says", said(classNames, teacher), "student says", said(classNames, student)};
        for (int l = 0; l < lines.length; l++) {
            g.setFont(l % 2 == 0 ? Pictures.TEXT : Pictures.BOLD);
            Pictures.shrinkToFit(g, lines[l], TILE + GAP - 2); // long class names must not run into the next tile
            g.drawString(lines[l], x(0), y(1) + 18 + 22 * l);
        }
        g.setFont(Pictures.TEXT);
    }

    private static String said(List<String> classNames, float[] logits) {
        double[] p = SoftTargetSection.probabilities(logits, 1);
        int top = SampleChoice.argMax(p);
        return classNames.get(top) + " " + SoftTargetSection.percent(p[top]);
    }

    private static void rowLabel(Graphics2D g, String name, String detail, int row) {
        g.setFont(Pictures.BOLD);
        g.drawString(name, 8, y(row) + TILE / 2);
        g.setFont(Pictures.TEXT);
        if (detail != null && g.getFontMetrics().stringWidth(detail) < LEFT - 10) {
            g.setColor(Color.DARK_GRAY);
            g.drawString(detail, 8, y(row) + TILE / 2 + 16);
            g.setColor(Color.BLACK);
        }
    }

    private static String text(ModelProbe.Views teacher, ModelProbe.Views student, String studentNote,
            TeacherNeeds needs, String needsSource) {
        StringBuilder t = new StringBuilder();
        t.append("Each map shows where a network's activations are strong: the spatial attention map sum_c A_c^2 "
                + "of a stage's output A (Zagoruyko & Komodakis 2017, section 3.1), from stage 1 (shallow, "
                + shape(teacher.mapShapes()[0]) + ") to stage 4 (deep, " + shape(teacher.mapShapes()[3])
                + "). Each map is upsampled bilinearly to " + TILE + "x" + TILE + " and stretched to the full colour "
                + "scale, its lowest point dark and its highest bright yellow (viridis), so compare patterns, not "
                + "brightness, across tiles. These are the maps attention transfer asks the student to reproduce.\n\n");
        t.append(studentNote);
        if (student != null) {
            List<String> parts = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                double sum = 0;
                int n = 0;
                for (int i = 0; i < teacher.maps().length; i++) {
                    double c = cosine(teacher.maps()[i][s], student.maps()[i][s]);
                    if (!Double.isNaN(c)) {
                        sum += c;
                        n++;
                    }
                }
                if (n > 0) {
                    parts.add(String.format(Locale.ROOT, "stage %d %.2f", s + 1, sum / n));
                }
            }
            if (!parts.isEmpty()) {
                t.append(" Under each student map is its cosine similarity with the teacher's map of the same stage "
                        + "(1 = the same pattern); averaged over the images shown: ").append(String.join(", ", parts))
                        .append('.');
            }
        }
        t.append(String.format(Locale.ROOT, "\n\nThe last teacher tile is the causal mask that weights attention "
                + "transfer in the causal methods: Integrated Gradients (Sundararajan, Taly & Yan 2017) of the true "
                + "class's logit with respect to the teacher's stage-%d features, from a zero baseline in %d steps. "
                + "The attributions are summed over channels, positions that argue against the true class are set "
                + "to 0, each image's mask is divided by its maximum, and %s. %s It is drawn with one block per "
                + "position, dark where the mask is 0.", needs.causalStage(), needs.igSteps(),
                needs.causalTop() > 0 && needs.causalTop() < 1
                        ? String.format(Locale.ROOT, "only the top %.0f%% of positions are kept (the rest are 0)",
                                100 * needs.causalTop())
                        : "all positions are kept", needsSource));
        return t.toString();
    }

    /** cos(a, b) = a.b / (|a| |b|); NaN when the maps differ in size or one is all zero. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.NaN;
        }
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : Double.NaN;
    }

    private static String kept(double top) {
        return top > 0 && top < 1 ? String.format(Locale.ROOT, "top %.0f%% kept", 100 * top) : "all kept";
    }

    private static String shape(int[] hw) {
        return hw[0] + "x" + hw[1];
    }

    private static int x(int column) {
        return LEFT + column * (TILE + GAP);
    }

    private static int y(int row) {
        return HEAD + row * (TILE + FOOT + GAP);
    }
}
