package org.distill4j.report;

import java.util.List;

/** report.md: the report as Markdown, its images linked from report-files/ beside it. */
final class MarkdownPage {
    private final StringBuilder md = new StringBuilder();
    private final String filesDir;

    private MarkdownPage(String filesDir) {
        this.filesDir = filesDir;
    }

    /** @param filesDir the images' directory relative to report.md, e.g. "report-files" */
    static String render(ReportContent c, String filesDir) {
        return new MarkdownPage(filesDir).page(c);
    }

    private String page(ReportContent c) {
        md.append("# ").append(c.title()).append("\n\n");
        c.description().forEach(p -> md.append(p).append("\n\n"));
        md.append("## What was run\n\n");
        for (String[] f : c.facts()) {
            md.append("- **").append(f[0]).append(":** ").append(f[1]).append('\n');
        }
        md.append("- **Variants:**\n");
        c.variants().forEach(v -> md.append("  - ").append(cell(v)).append('\n'));
        md.append("\n## Results\n\n").append(ReportTable.markdown(c.rows())).append('\n');
        md.append("★ marks the student with the highest mean top-1.\n\n");
        c.notes().forEach(n -> md.append(n).append("\n\n"));
        if (!c.failures().isEmpty()) {
            md.append("### Runs without results\n\n");
            for (String[] f : c.failures()) {
                md.append("- **").append(f[0]).append(":** ").append(f[1].replace('\n', ' ')).append('\n');
            }
            md.append('\n');
        }
        c.charts().forEach(this::figure);
        for (ReportSection s : c.extra()) {
            md.append("## ").append(s.title()).append("\n\n");
            s.paragraphs().forEach(p -> md.append(p).append("\n\n"));
            s.figures().forEach(this::figure);
        }
        provenance(c.provenance());
        return md.toString();
    }

    private void figure(Figure f) {
        md.append("![").append(f.caption().replace("]", ")")).append("](").append(filesDir).append('/')
                .append(f.file()).append(")\n\n*").append(f.caption()).append("*\n\n");
    }

    private void provenance(List<ProvenanceTable.Entry> entries) {
        md.append("## Provenance\n\n");
        md.append("Each run directory holds the resolved config, seed, code and library versions and the "
                + "dataset's checksum: enough to run it again. Links are relative to this file.\n\n");
        md.append("| ").append(String.join(" | ", ProvenanceTable.HEADERS)).append(" |\n|");
        md.append("---|".repeat(ProvenanceTable.HEADERS.size())).append('\n');
        for (ProvenanceTable.Entry e : entries) {
            md.append('|');
            e.cells().forEach(x -> md.append(' ').append(cell(x)).append(" |"));
            List<String> links = e.links().stream().map(l -> "[" + l.name() + "](" + l.href() + ")").toList();
            md.append(' ').append(links.isEmpty() ? "—" : String.join(" ", links)).append(" |\n");
        }
    }

    /** Table cells cannot hold '|' or line breaks. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace('\n', ' ');
    }
}
