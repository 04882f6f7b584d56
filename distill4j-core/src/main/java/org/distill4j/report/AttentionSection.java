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
import org.distill4j.distill.Signal;

/**
 * "Where the models look": per test image a grid of the teacher's and a student's spatial attention maps at each
 * of their own stages (Zagoruyko &amp; Komodakis 2017) and the teacher's causal Integrated-Gradients mask, in
 * viridis. The two networks may have different stage counts (a 4-stage ResNet18 teacher, a 3-stage ShuffleNet
 * student); a cell where a network has no such stage says so, and only the stages both have are paired.
 */
final class AttentionSection {
    static final String TITLE = "Where the models look";
    static final int TILE = 96;
    static final int GAP = 10;
    private static final int LEFT = 78;   // row labels
    private static final int HEAD = 40;   // two lines of column headers
    private static final int FOOT = 18;   // one line under each tile
    static final int BAR = 64;            // colour bar and its labels

    private AttentionSection() {}

    /**
     * The student shown in the bottom row.
     *
     * @param name  e.g. "variant seed, seed 1"
     * @param views what it shows for the images
     * @param pairs its maps paired with the teacher's
     */
    record Student(String name, ModelProbe.Views views, StagePairs pairs) {}

    /**
     * @param student     the student row, or null when no student could be shown
     * @param studentNote a sentence on which student is shown and why (or why none is)
     * @param needsSource a sentence saying where the IG settings come from
     */
    static ReportSection build(List<Insights.Sample> samples, ImageDataset images, List<String> classNames,
            ModelProbe.Views teacher, Student student, String studentNote, Signal.Mask needs, String needsSource)
            throws IOException {
        List<Figure> figures = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Insights.Sample s = samples.get(i);
            String caption = String.format(Locale.ROOT, "Test image #%d (true class %s). Top row: the teacher's "
                    + "attention at %s and its IG mask%s. Bright = high attention.", s.testIndex(),
                    classNames.get(s.label()), stages(teacher.stages()),
                    student == null ? "" : studentCaption(student));
            figures.add(new Figure("attention-" + (i + 1) + ".png", caption,
                    Pictures.png(grid(images, i, classNames, teacher, student, needs))));
        }
        return new ReportSection(TITLE, AttentionText.of(teacher, student, studentNote, needs, needsSource),
                figures);
    }

    private static String studentCaption(Student student) {
        return "; bottom row: the student (" + student.name() + ") at " + stages(student.views().stages()) + "; "
                + stages(student.pairs().count()) + (student.pairs().count() == 1 ? " is" : " are") + " paired, "
                + "each student map with its cosine similarity to the teacher's map of the same stage";
    }

    /** The number of stage columns: the larger of the two networks' stage counts. */
    static int stageColumns(ModelProbe.Views teacher, Student student) {
        return student == null ? teacher.stages() : Math.max(teacher.stages(), student.views().stages());
    }

    private static BufferedImage grid(ImageDataset images, int i, List<String> classNames, ModelProbe.Views teacher,
            Student student, Signal.Mask needs) {
        int rows = student == null ? 1 : 2;
        int stages = stageColumns(teacher, student);
        int columns = stages + 2; // input, the stages, IG mask
        BufferedImage out = Pictures.canvas(x(columns) + BAR, y(rows) + GAP / 2);
        Graphics2D g = Pictures.graphics(out);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        headers(g, images, teacher, needs, stages);
        g.drawImage(Pictures.image(images, i, 1), x(0), y(0), TILE, TILE, null);
        foot(g, classNames.get(images.label(i)), 0, 0);
        rowLabel(g, "teacher", null, 0);
        stageRow(g, teacher, i, 0, stages, null);
        if (teacher.mask() != null) {
            g.drawImage(Colormap.image(teacher.mask()[i], TILE), x(stages + 1), y(0), null);
            foot(g, kept(needs.top()), stages + 1, 0);
        } else { // a TorchScript teacher without the tail IG needs
            g.setColor(Color.GRAY);
            Pictures.centred(g, "no tail for IG", x(stages + 1) + TILE / 2, y(0) + TILE / 2);
            g.setColor(Color.BLACK);
        }
        if (student != null) {
            rowLabel(g, "student", student.name(), 1);
            stageRow(g, student.views(), i, 1, stages, student.pairs());
            predictions(g, classNames, teacher.logits()[i], student.views().logits()[i]);
        }
        g.drawImage(Colormap.bar(14, y(rows) - FOOT - GAP - y(0)), x(columns), y(0), null);
        g.drawString("high", x(columns) + 20, y(0) + 10);
        g.drawString("low", x(columns) + 20, y(rows) - FOOT - GAP);
        g.dispose();
        return out;
    }

    /**
     * One network's maps in columns 1..stages, each with its resolution (and, for a paired student map, the
     * pair's cosine similarity) under it; "no stage s" in grey where the network has fewer stages.
     */
    private static void stageRow(Graphics2D g, ModelProbe.Views views, int i, int row, int stages,
            StagePairs pairs) {
        for (int s = 1; s <= stages; s++) {
            if (s > views.stages()) {
                g.setColor(Color.GRAY);
                Pictures.centred(g, "no stage " + s, x(s) + TILE / 2, y(row) + TILE / 2);
                g.setColor(Color.BLACK);
                continue;
            }
            g.drawImage(Colormap.image(views.tiles()[i][s - 1], TILE), x(s), y(row), null);
            String under = shape(views.mapShapes()[s - 1]);
            if (pairs != null && s <= pairs.count() && !Double.isNaN(pairs.cosines()[i][s - 1])) {
                under += String.format(Locale.ROOT, ", cos %.2f", pairs.cosines()[i][s - 1]);
            }
            foot(g, under, s, row);
        }
    }

    /** Above each column: what it shows; for the input and the mask also at which resolution. */
    private static void headers(Graphics2D g, ImageDataset images, ModelProbe.Views teacher, Signal.Mask needs,
            int stages) {
        for (int c = 0; c < stages + 2; c++) {
            String name = c == 0 ? "input" : c <= stages ? "stage " + c : "IG mask";
            String size = c == 0 ? images.height() + "x" + images.width()
                    : c <= stages || teacher.maskShape() == null ? "" : "stage " + needs.stage() + ", "
                    + shape(teacher.maskShape());
            g.setFont(Pictures.BOLD);
            Pictures.centred(g, name, x(c) + TILE / 2, 16);
            g.setFont(Pictures.TEXT);
            Pictures.centred(g, size, x(c) + TILE / 2, 32);
        }
    }

    /** One line under a tile, made smaller if it would run into the next column. */
    private static void foot(Graphics2D g, String text, int column, int row) {
        Pictures.shrinkToFit(g, text, TILE + GAP - 2);
        Pictures.centred(g, text, x(column) + TILE / 2, y(row) + TILE + 14);
        g.setFont(Pictures.TEXT);
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

    private static String kept(double top) {
        return top > 0 && top < 1 ? String.format(Locale.ROOT, "top %.0f%% kept", 100 * top) : "all kept";
    }

    /** "stage 1" or "stages 1-4". */
    static String stages(int count) {
        return count == 1 ? "stage 1" : "stages 1-" + count;
    }

    static String shape(int[] hw) {
        return hw[0] + "x" + hw[1];
    }

    /** The left edge of a column (0: the input). */
    static int x(int column) {
        return LEFT + column * (TILE + GAP);
    }

    /** The top edge of a row (0: the teacher). */
    static int y(int row) {
        return HEAD + row * (TILE + FOOT + GAP);
    }
}
