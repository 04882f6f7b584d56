package org.distill4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.run.AtomicFiles;

/**
 * Writes an experiment's report from its directory alone: report.md with its images under report-files/, and
 * report.html, the same report as one self-contained page. Sections: what was run, the results table (with the
 * runs that failed), the charts, the caller's extra sections, and the provenance of every run.
 */
public final class Report {

    private Report() {}

    /**
     * @param r     the experiment, as {@link ExperimentResults#load} reads it
     * @param extra sections placed after the charts, in order (none: an empty list)
     */
    public static void write(ExperimentResults r, List<ReportSection> extra) throws IOException {
        Charts.headless();
        ReportContent content = ReportContent.of(r, extra);
        ExperimentLayout layout = r.layout();
        List<Figure> figures = content.figures();
        Set<String> names = new HashSet<>();
        for (Figure f : figures) {
            if (!names.add(f.file())) {
                throw new IllegalArgumentException("two figures of the report are both named " + f.file());
            }
        }
        for (Figure f : figures) {
            AtomicFiles.write(layout.reportFiles().resolve(f.file()), out -> out.write(f.png()));
        }
        removeStaleImages(layout.reportFiles(), names);
        String filesDir = layout.root().toAbsolutePath().normalize()
                .relativize(layout.reportFiles().toAbsolutePath().normalize()).toString().replace('\\', '/');
        AtomicFiles.writeString(layout.reportMarkdown(), MarkdownPage.render(content, filesDir));
        AtomicFiles.writeString(layout.reportHtml(), HtmlPage.render(content));
    }

    /** An image left by an earlier report (a section since dropped) would be mistaken for a current one. */
    private static void removeStaleImages(Path dir, Set<String> current) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".png") && !current.contains(name)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
