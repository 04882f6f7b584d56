package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.distill4j.eval.Holm;
import org.distill4j.experiment.ExperimentResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DifferencesTest {
    @Test
    void everyVariantAgainstStudentOnlyAndKdHolmCorrectedTogether(@TempDir Path dir) throws Exception {
        ExperimentResults r = ExperimentResults.load(FakeExperiment.create(dir, false));
        List<Differences.Comparison> all = Differences.of(r);

        assertEquals(List.of("kd/student-only", "seed/student-only", "align/student-only", "seed/kd", "align/kd"),
                all.stream().map(x -> x.variant() + "/" + x.against()).toList(),
                "each against student-only, then against KD; KD against student-only only once");
        Differences.Comparison kd = Differences.find(all, "kd", "student-only");
        // SciPy: ttest_ind([83, 84.5, 84], [80, 82, 81], equal_var=False) gives t 3.9000674757995437, p 0.01991...
        assertEquals(3.9000674757995437, kd.test().t(), 1e-9);
        assertEquals(0.01991033963471493, kd.test().p(), 1e-9);
        double[] p = {0.01991033963471493, 0.032028264236914496, 0.17971986940411708};
        double[] holm = Holm.adjust(p);
        assertEquals(holm[0], kd.holmP(), 1e-9, "three tests in the family: align has no finished seed");
        assertEquals(holm[1], Differences.find(all, "seed", "student-only").holmP(), 1e-9);
        assertEquals(holm[2], Differences.find(all, "seed", "kd").holmP(), 1e-9);
        assertFalse(kd.significant(), "p 0.020 alone, but 0.060 across three comparisons");
        assertTrue(Double.isNaN(Differences.find(all, "align", "kd").holmP()));

        String md = Differences.markdown(all);
        assertFalse(md.toLowerCase().contains("significant"), md);
        assertTrue(md.contains("| Student + KD − Student only | +2.83 | \\[+0.76, +4.91\\] |"), md);
        assertTrue(md.contains("| 3.9 | 0.020 | 0.060 | 3 vs 3 | no |"), md);
        assertTrue(md.contains("no test"), "the align rows say there is no test:\n" + md);
        assertFalse(Differences.reading(all).toLowerCase().contains("significant"), Differences.reading(all));
    }

    @Test
    void theWordSignificantMarksExactlyTheRowsThatAre() {
        List<Differences.Comparison> all = Differences.compare(List.of("student-only", "kd", "kd-at"),
                List.of("Student only", "Student + KD", "Student + KD + attention"),
                List.of(new double[] {75.8, 76.4, 75.2, 76.1, 75.5}, new double[] {78.9, 79.3, 78.4, 79.1, 78.8},
                        new double[] {76.0, 77.9, 75.1, 78.8, 76.6}), 0, 1);
        assertEquals(3, all.size());
        assertTrue(Differences.find(all, "kd", "student-only").significant());
        Differences.Comparison at = Differences.find(all, "kd-at", "student-only");
        assertFalse(at.significant(), "a 1.1-point gain with a wide spread over five seeds: " + at);
        String md = Differences.markdown(all);
        long rows = md.lines().filter(l -> l.contains("significant")).count();
        assertEquals(all.stream().filter(Differences.Comparison::significant).count(), rows, md);
        assertTrue(Differences.reading(all).contains("After the correction, significant: Student + KD − Student "
                + "only"), Differences.reading(all));
    }

    @Test
    void theReportShowsTheDifferencesRightAfterTheTable(@TempDir Path dir) throws Exception {
        Path exp = FakeExperiment.create(dir, false);
        ReportBuilder.write(exp);
        String md = Files.readString(exp.resolve("report.md"));
        int table = md.indexOf("## Results");
        int stats = md.indexOf("## " + Differences.TITLE);
        assertTrue(table >= 0 && stats > table, "the statistics follow the results");
        assertTrue(stats < md.indexOf("!["), "and come before the charts");
        assertTrue(md.contains("Student + seed loss (KD + align + causal HMAT) − Student + KD"), md);
        String html = Files.readString(exp.resolve("report.html"));
        assertTrue(html.contains(Differences.TITLE) && html.contains("95% CI (Welch)"));
    }
}
