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
        md.append("# ").append(escape(c.title())).append("\n\n");
        c.description().forEach(p -> md.append(escape(p)).append("\n\n"));
        md.append("## What was run\n\n");
        for (String[] f : c.facts()) {
            md.append("- **").append(f[0]).append(":** ").append(escape(f[1])).append('\n');
        }
        md.append("- **Variants:**\n");
        c.variants().forEach(v -> md.append("  - ").append(escape(v)).append('\n'));
        md.append("\n## Results\n\n").append(ReportTable.markdown(c.rows())).append('\n');
        md.append("★ marks the student with the highest mean top-1.\n\n");
        c.notes().forEach(n -> md.append(escape(n)).append("\n\n"));
        section(c.differences());
        if (!c.failures().isEmpty()) {
            md.append("### Runs without results\n\n");
            for (String[] f : c.failures()) {
                md.append("- **").append(escape(f[0])).append(":** ").append(code(f[1])).append('\n');
            }
            md.append('\n');
        }
        c.charts().forEach(this::figure);
        c.extra().forEach(this::section);
        provenance(c.provenance());
        return md.toString();
    }

    private void section(ReportSection s) {
        md.append("## ").append(escape(s.title())).append("\n\n");
        s.paragraphsBefore().forEach(p -> md.append(escape(p)).append("\n\n"));
        if (!s.header().isEmpty()) {
            md.append("| ").append(String.join(" | ", s.header().stream().map(MarkdownPage::escape).toList()))
                    .append(" |\n|").append(":---|".repeat(s.header().size())).append('\n');
            s.table().forEach(r -> md.append("| ").append(String.join(" | ", r.stream().map(MarkdownPage::escape)
                    .toList())).append(" |\n"));
            md.append('\n');
        }
        s.paragraphsAfter().forEach(p -> md.append(escape(p)).append("\n\n"));
        s.figures().forEach(this::figure);
    }

    private void figure(Figure f) {
        md.append("![").append(escape(f.caption())).append("](").append(filesDir).append('/')
                .append(f.file()).append(")\n\n*").append(escape(f.caption())).append("*\n\n");
    }

    private void provenance(List<ProvenanceTable.Entry> entries) {
        md.append("## Provenance\n\n");
        md.append("Each run directory holds the resolved config, seed, code and library versions and the "
                + "dataset's checksum: enough to run it again. Links are relative to this file.\n\n");
        md.append("| ").append(String.join(" | ", ProvenanceTable.HEADERS)).append(" |\n|");
        md.append("---|".repeat(ProvenanceTable.HEADERS.size())).append('\n');
        for (ProvenanceTable.Entry e : entries) {
            md.append('|');
            e.leading().forEach(x -> md.append(' ').append(escape(x)).append(" |"));
            List<String> links = e.links().stream().map(l -> "[" + l.name() + "](" + l.href() + ")").toList();
            md.append(' ').append(links.isEmpty() ? "—" : String.join(" ", links)).append(" | ")
                    .append(escape(e.versions())).append(" |\n");
        }
    }

    /**
     * Plain text as Markdown that shows it verbatim: "1*KD + 0.5*Align" must not turn into italics, nor "<batch>"
     * into a tag. CommonMark lets any ASCII punctuation be backslash-escaped; '|' must be, inside a table.
     */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            if ("\\`*_[]<>#|".indexOf(ch) >= 0) {
                sb.append('\\');
            }
            sb.append(ch == '\n' ? ' ' : ch);
        }
        return sb.toString();
    }

    /** An error message as inline code, shown exactly. */
    private static String code(String s) {
        return "`" + s.replace('`', '\'').replace('\n', ' ') + "`";
    }
}
