package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

class ReportTest {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Pattern IMG = Pattern.compile("<img\\b[^>]*>");
    private static final Pattern SRC = Pattern.compile("\\ssrc=\"([^\"]*)\"");
    private static final Pattern HREF = Pattern.compile("\\shref=\"([^\"]*)\"");
    private static final Pattern MD_IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)");

    /** A section as another class of the report would supply it, with text that must be escaped. */
    static ReportSection extraSection() {
        XYChart chart = new XYChartBuilder().width(400).height(300).title("soft targets").build();
        chart.addSeries("p", new double[] {1, 2, 3}, new double[] {0.7, 0.2, 0.1});
        return new ReportSection("Why soft targets help", "The teacher's <soft> targets & their dark knowledge.\n\n"
                + "A second paragraph.", List.of(new Figure("soft-targets.png", "Soft targets of one image.",
                        Charts.png(chart))));
    }

    @Test
    void writesMarkdownAndOneSelfContainedHtmlPage(@TempDir Path dir) throws Exception {
        Path root = FakeExperiment.create(dir, false);
        Report.write(ExperimentResults.load(root), List.of(extraSection()));
        ExperimentLayout layout = new ExperimentLayout(root);
        String html = Files.readString(layout.reportHtml());
        String md = Files.readString(layout.reportMarkdown());

        for (String external : List.of("src=\"http", "href=\"http", "<script src", "@import", "url(http", "<link")) {
            assertFalse(html.contains(external), "report.html must not load anything: found " + external);
        }
        List<String> imgs = matches(IMG, html, 0);
        assertEquals(3, imgs.size(), "two charts and the extra section's figure");
        for (String img : imgs) {
            Matcher src = SRC.matcher(img);
            assertTrue(src.find(), img.substring(0, Math.min(80, img.length())));
            assertTrue(src.group(1).startsWith("data:image/png;base64,"), "image not embedded as a data URI");
            byte[] png = Base64.getDecoder().decode(src.group(1).substring("data:image/png;base64,".length()));
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8), "not a PNG");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
        }

        List<String> links = matches(MD_IMAGE, md, 1);
        assertEquals(List.of("report-files/accuracy-per-epoch.png", "report-files/accuracy-vs-params.png",
                "report-files/soft-targets.png"), links);
        for (String link : links) {
            assertTrue(Files.isRegularFile(root.resolve(link)), "report.md links a missing image: " + link);
        }

        for (String mean : List.of("81.00 ± 1.00", ReportTableTest.formatted("kd"), "85.75 ± 1.06", "91.00")) {
            assertTrue(html.contains("<td>" + mean + "</td>"), "results table lacks " + mean);
            assertTrue(md.contains(mean), "report.md lacks " + mean);
        }
        assertTrue(html.contains("<tr class=\"best\"><td>Student + seed loss (KD + align + causal HMAT) ★</td>"));
        assertTrue(html.contains("NonFiniteLossException: loss became NaN at epoch 2 &lt;batch 17&gt;"),
                "the failed run is listed with its error, escaped");
        assertTrue(html.contains("The teacher&#39;s &lt;soft&gt; targets &amp; their dark knowledge."),
                "extra text is escaped");
        assertTrue(md.contains("`NonFiniteLossException: loss became NaN at epoch 2 <batch 17>`"), "error as code");
        assertTrue(md.contains("The teacher's \\<soft\\> targets & their dark knowledge."), "plain text, escaped");
        assertTrue(md.contains("0.1\\*ce + 0.9\\*kd + 0.5\\*align"), "a method's '*' is not emphasis");
        assertTrue(html.contains("optimistic") && md.contains("optimistic"), "best-epoch caveat");
        assertTrue(html.contains("the saved model " + dir.resolve("teachers/synthetic-w16")), "teacher stage");
        assertInOrder(html, "<h1>fake-study</h1>", "Does distillation help", "<h2>What was run</h2>",
                "<h2>Results</h2>", "<table class=\"results\">", "Runs without results",
                "id=\"accuracy-per-epoch\"", "id=\"accuracy-vs-params\"", "<h2>Why soft targets help</h2>",
                "A second paragraph.", "id=\"soft-targets\"", "<h2>Provenance</h2>");
        assertInOrder(md, "# fake-study", "## What was run", "## Results", "accuracy-per-epoch.png",
                "accuracy-vs-params.png", "## Why soft targets help", "soft-targets.png", "## Provenance");
    }

    @Test
    void provenanceLinksEachRunsFilesRelativeToTheExperimentAndAnOutsideTeacherByFileUrl(@TempDir Path dir)
            throws Exception {
        Path root = FakeExperiment.create(dir, true);
        Report.write(ExperimentResults.load(root), List.of());
        String html = Files.readString(new ExperimentLayout(root).reportHtml());
        String provenance = html.substring(html.indexOf("<h2>Provenance</h2>"));

        assertEquals(1 + 4 * 3, provenance.split("<tr>").length - 2, "header, teacher and one row per variant/seed");
        List<String> hrefs = matches(HREF, provenance, 1);
        int outside = 0;
        for (String href : hrefs) {
            Path target;
            if (href.startsWith("file:")) {
                target = Path.of(URI.create(href));
                assertFalse(target.startsWith(root), "a file inside the experiment must be linked relatively");
                outside++;
            } else {
                assertFalse(href.startsWith("/") || href.contains(":"), "not relative: " + href);
                target = root.resolve(href);
            }
            assertTrue(Files.isRegularFile(target), "link to a missing file: " + href);
        }
        assertEquals(3, outside, "the teacher's run lies outside: its config, provenance and history by file: URL");
        assertTrue(hrefs.contains("students/kd/seed-1/provenance.json"));
        assertTrue(hrefs.contains("students/seed/seed-2/config.yaml"), "a failed run still links what it left");
        assertFalse(hrefs.contains("students/seed/seed-2/metrics.json"));
        assertTrue(hrefs.contains("teacher-metrics.json"));
        assertTrue(provenance.contains("<td>0123456789ab…</td>"), "git commit prefix");
        assertTrue(provenance.contains("abababababab…"), "dataset SHA-256 prefix");
        assertTrue(provenance.contains("2025-01-01 10:00:00") && provenance.contains("djl 0.36.0"));
        assertTrue(provenance.contains("<td class=\"failed\">failed</td>"));
        assertTrue(provenance.contains("<td class=\"failed\">not run</td>"));
    }

    @Test
    void survivesBrokenRunFilesAndDropsImagesOfAnEarlierReport(@TempDir Path dir) throws Exception {
        Path root = FakeExperiment.create(dir, false);
        ExperimentLayout layout = new ExperimentLayout(root);
        Files.writeString(layout.studentRun("kd", 2).resolve("history.csv"), "epoch,test_top1\n1,not-a-number\n");
        Files.writeString(layout.studentRun("kd", 2).resolve("provenance.json"), "{\"seed\": ");
        Files.createDirectories(layout.reportFiles());
        Files.write(layout.reportFiles().resolve("old-section.png"), new byte[] {1, 2, 3});

        Report.write(ExperimentResults.load(root), List.of());

        assertTrue(Files.isRegularFile(layout.reportHtml()) && Files.isRegularFile(layout.reportMarkdown()));
        assertFalse(Files.exists(layout.reportFiles().resolve("old-section.png")), "stale image left behind");
        assertTrue(Files.isRegularFile(layout.reportFiles().resolve("accuracy-per-epoch.png")));
    }

    @Test
    void anExperimentWithNoResultYetStillGetsAReport(@TempDir Path dir) throws Exception {
        Path root = FakeExperiment.create(dir, false);
        ExperimentLayout layout = new ExperimentLayout(root);
        try (var files = Files.walk(root)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches("metrics\\.json|history\\.csv|"
                    + "teacher-metrics\\.json|provenance\\.json")).toList()) {
                Files.delete(p);
            }
        }
        ExperimentResults results = ExperimentResults.load(root);
        Report.write(results, List.of());

        assertTrue(ReportTable.rows(results).stream().noneMatch(ReportTable.Row::best));
        String html = Files.readString(layout.reportHtml());
        assertEquals(2, matches(IMG, html, 0).size(), "both charts are drawn, empty");
        String table = html.substring(html.indexOf("<table class=\"results\">"), html.indexOf("</table>"));
        assertFalse(table.contains("NaN"), "missing figures show as dashes");
        assertTrue(table.contains("<td>Student + KD</td><td>—</td><td>0 of 3</td>"), "rows stay in the table");
    }

    @Test
    void twoFiguresWithOneFileNameAreRefused(@TempDir Path dir) throws Exception {
        Path root = FakeExperiment.create(dir, false);
        ReportSection clash = new ReportSection("Clash", "", List.of(new Figure("accuracy-vs-params.png", "x",
                ReportTest.extraSection().figures().get(0).png())));
        assertThrows(IllegalArgumentException.class, () -> Report.write(ExperimentResults.load(root), List.of(clash)));
        assertThrows(IllegalArgumentException.class, () -> new Figure("../escape.png", "", new byte[0]));
    }

    static List<String> matches(Pattern p, String s, int group) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            out.add(m.group(group));
        }
        return out;
    }

    private static void assertInOrder(String text, String... parts) {
        int at = -1;
        for (String part : parts) {
            int next = text.indexOf(part, at + 1);
            assertTrue(next > at, "'" + part + "' missing or out of order");
            at = next;
        }
    }
}
