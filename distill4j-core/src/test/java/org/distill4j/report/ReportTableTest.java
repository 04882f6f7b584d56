package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Methods;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTableTest {
    private static final double EPS = 1e-9;

    @Test
    void rowsPoolTheFinishedSeedsWithSampleStdAndDeltaVsStudentOnly(@TempDir Path dir) throws Exception {
        List<ReportTable.Row> rows = ReportTable.rows(ExperimentResults.load(FakeExperiment.create(dir, false)));

        assertEquals(List.of("student-only", "kd", "seed", "align", "teacher"),
                rows.stream().map(ReportTable.Row::variant).toList());
        double base = expectedMean("student-only");
        for (String v : List.of("student-only", "kd", "seed")) {
            ReportTable.Row row = rows.get(FakeExperiment.VARIANTS.indexOf(v));
            assertEquals(expectedMean(v), row.top1Mean(), EPS, v + " mean");
            assertEquals(expectedStd(v), row.top1Std(), EPS, v + " sample std");
            assertEquals(expectedMean(v) + 0.4, row.top1BestMean(), EPS, v + " best-epoch mean");
            assertEquals(expectedMean(v) - base, row.deltaVsStudentOnly(), EPS, v + " delta");
            assertEquals(FakeExperiment.STUDENT_PARAMS, row.params());
            assertEquals((FakeExperiment.STUDENT_PARAMS * 4 + 1200) / 1e6, row.sizeMb(), EPS);
        }
        assertEquals(1.0, rows.get(0).top1Std(), EPS, "0.80, 0.82, 0.81 has sample std exactly 1 point");
        assertEquals(1.6, rows.get(0).latencyMs(), EPS, "latency is the mean over seeds");
        assertEquals(910, rows.get(0).imagesPerSec(), EPS, "throughput is the mean over seeds");

        ReportTable.Row seed = rows.get(2);
        assertEquals(2, seed.seeds(), "the failed seed is left out of the figures");
        assertEquals(1, seed.failed(), "and counted");
        assertEquals((85.0 + 86.5) / 2, seed.top1Mean(), EPS);
        assertEquals(3, rows.get(0).seeds());
        assertEquals(0, rows.get(0).failed());

        ReportTable.Row align = rows.get(3);
        assertEquals(0, align.seeds());
        assertEquals(3, align.failed());
        assertTrue(Double.isNaN(align.top1Mean()) && Double.isNaN(align.deltaVsStudentOnly()));

        assertEquals(List.of(false, false, true, false, false), rows.stream().map(ReportTable.Row::best).toList(),
                "best marks the student with the highest mean, never the teacher");

        ReportTable.Row teacher = rows.get(4);
        assertTrue(teacher.teacher());
        assertEquals("Teacher (resnet50-cbam w16)", teacher.label());
        assertEquals(1, teacher.seeds());
        assertEquals(0, teacher.top1Std(), EPS);
        assertEquals(91.0, teacher.top1Mean(), EPS);
        assertEquals(91.0 - base, teacher.deltaVsStudentOnly(), EPS);
        assertEquals(FakeExperiment.TEACHER_PARAMS, teacher.params());

        assertEquals(List.of("Student only", "Student + KD", "Student + seed loss (KD + align + causal HMAT)",
                "Student + KD + alignment", "Teacher (resnet50-cbam w16)"),
                rows.stream().map(ReportTable.Row::label).toList());
    }

    @Test
    void theTeacherLabelShowsAWidthOnlyForTheFamiliesThatTakeOne() {
        assertEquals("Teacher (wrn-40-2)", teacherLabel("wrn-40-2", 0), "a WRN's width is in its name");
        assertEquals("Teacher (shufflenetv2-0.5x)", teacherLabel("shufflenetv2-0.5x", 0));
        assertEquals("Teacher (resnet56)", teacherLabel("resnet56", 0));
        assertEquals("Teacher (resnet50-cbam w16)", teacherLabel("resnet50-cbam", 16));
        assertEquals("Teacher (not measured)", ReportTable.teacherLabel(null));
    }

    private static String teacherLabel(String model, int width) {
        return ReportTable.teacherLabel(FakeExperiment.metrics(model, 1000, 0.9, "teacher", width, 1, 100));
    }

    @Test
    void markdownShowsMeanAndStdAndMarksTheBestRow(@TempDir Path dir) throws Exception {
        List<ReportTable.Row> rows = ReportTable.rows(ExperimentResults.load(FakeExperiment.create(dir, false)));
        String md = ReportTable.markdown(rows);

        assertTrue(md.contains("| 81.00 ± 1.00 |"), md);
        assertTrue(md.contains(formatted("kd")), md);
        assertTrue(md.contains("| **Student + seed loss (KD + align + causal HMAT) ★** | **85.75 ± 1.06** |"), md);
        assertTrue(md.contains("| 2 of 3 |") && md.contains("| 0 of 3 |"), md);
        assertTrue(md.contains("| +0.00 |") && md.contains("| +10.00 |"), "deltas vs student-only:\n" + md);
        assertTrue(md.contains("| 175,258 |"), md);
        assertFalse(md.contains("NaN"), "a run without results shows dashes, not NaN:\n" + md);
        assertEquals(rows.size() + 2, md.lines().count(), "header, rule and one line per row");
    }

    static String formatted(String variant) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", expectedMean(variant), expectedStd(variant));
    }

    /** Mean final top-1 of a variant's finished seeds, in percent, with a plain loop. */
    static double expectedMean(String variant) {
        List<Double> xs = finished(variant);
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.size();
    }

    /** Sample standard deviation (n - 1) of the same values. */
    static double expectedStd(String variant) {
        List<Double> xs = finished(variant);
        double m = expectedMean(variant);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (xs.size() - 1));
    }

    private static List<Double> finished(String variant) {
        List<Double> xs = new ArrayList<>();
        for (double t : FakeExperiment.TOP1.get(variant)) {
            if (!Double.isNaN(t)) {
                xs.add(100 * t);
            }
        }
        return xs;
    }

    @Test
    void everyPresetGetsAReadableLabel() {
        TrainConfig student = TrainConfig.defaults();
        List<String> labels = new ArrayList<>();
        for (String preset : Methods.names()) {
            labels.add(ReportTable.label(new Variant("v-" + preset, Methods.preset(preset), student)));
        }
        assertEquals(List.of("Student only", "Student + KD", "Student + AT (attention transfer)",
                "Student + H-AT (hierarchical attention)", "Student + KD + attention",
                "Student + KD + causal attention", "Student + KD + alignment",
                "Student + seed loss (KD + align + causal HMAT)", "Student + hybrid AT (H-AT code)", "Student + CCKD",
                "Student + VID", "Student + KDAFM (AFD)", "Student + CRD", "Student + CRD + KD",
                "Student + HMAT-style (multi-attention)", "Student + FitNets", "Student + SP", "Student + RKD",
                "Student + PKT", "Student + NST", "Student + DKD"), labels);
    }
}
