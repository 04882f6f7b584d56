package org.distill4j.report;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentSuite;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.RunLock;
import org.distill4j.train.Devices;

/**
 * Builds a study's report from its directory alone (what {@code distill4j run} and {@code distill4j report}
 * call), and the index of a file with several studies.
 */
public final class ReportBuilder {
    private ReportBuilder() {}

    /**
     * Writes DIR/report.md and DIR/report.html; returns report.html. Holds the study's lock meanwhile, so a report
     * is never built from a study another process is still writing.
     *
     * @throws org.distill4j.run.RunLock.HeldException when another live process is running the study
     */
    public static Path write(Path studyDir) throws IOException {
        try (RunLock lock = RunLock.acquire(studyDir, "report")) {
            ExperimentLayout layout = new ExperimentLayout(studyDir);
            AtomicFiles.removeStaleTemporaries(layout.root());
            AtomicFiles.removeStaleTemporaries(layout.reportFiles());
            return writeLocked(studyDir);
        }
    }

    private static Path writeLocked(Path studyDir) throws IOException {
        ExperimentResults r = ExperimentResults.load(studyDir);
        List<ReportSection> extra;
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(r.config().student().device()))) {
            extra = new java.util.ArrayList<>(Insights.sections(r, manager));
        }
        extra.add(0, MethodsSection.build(r));
        Report.write(r, extra);
        return r.layout().reportHtml();
    }

    /**
     * For a file with several studies: OUT/report.md and OUT/report.html, each study's comparison table with a
     * link to its own report. Returns report.html.
     */
    public static Path writeIndex(Path out, ExperimentSuite suite) throws IOException {
        StringBuilder md = new StringBuilder("# " + suite.name() + "\n\n" + suite.description() + "\n\n");
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(HtmlPage.esc(suite.name())).append("</title><style>body{font-family:sans-serif;max-width:72em;"
                        + "margin:2em auto;padding:0 1em}pre{background:#f6f6f6;padding:1em;overflow-x:auto}"
                        + "</style></head><body><h1>").append(HtmlPage.esc(suite.name())).append("</h1><p>")
                .append(HtmlPage.esc(suite.description())).append("</p>");
        for (ExperimentConfig study : suite.studies()) {
            Path dir = suite.studyDir(out, study);
            String link = study.name() + "/report.html";
            md.append("## ").append(study.name()).append("\n\n");
            html.append("<h2>").append(HtmlPage.esc(study.name())).append("</h2>");
            if (!Files.isRegularFile(dir.resolve("experiment.yaml"))) {
                md.append("Not run yet.\n\n");
                html.append("<p>Not run yet.</p>");
                continue;
            }
            ExperimentResults results = ExperimentResults.load(dir);
            String table = ReportTable.markdown(ReportTable.rows(results)) + "\n"
                    + Differences.markdown(Differences.of(results));
            md.append(table).append("\nFull report: [").append(link).append("](").append(link).append(")\n\n");
            html.append("<pre>").append(HtmlPage.esc(table)).append("</pre><p><a href=\"").append(HtmlPage.esc(link))
                    .append("\">Full report of ").append(HtmlPage.esc(study.name())).append("</a></p>");
        }
        html.append("</body></html>\n");
        AtomicFiles.writeString(out.resolve("report.md"), md.toString());
        Path index = out.resolve("report.html");
        AtomicFiles.writeString(index, html.toString());
        return index;
    }

}
