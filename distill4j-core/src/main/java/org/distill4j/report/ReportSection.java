package org.distill4j.report;

import java.util.Arrays;
import java.util.List;

/**
 * A section of the report supplied from outside this package (for example "Why soft targets help"), placed
 * after the charts and before the provenance.
 *
 * @param title   the section's heading
 * @param text    plain text, paragraphs separated by blank lines (escaped in HTML, not interpreted)
 * @param figures shown after the text, in order
 */
public record ReportSection(String title, String text, List<Figure> figures) {
    public ReportSection {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("a report section needs a title");
        }
        text = text == null ? "" : text.strip();
        figures = figures == null ? List.of() : List.copyOf(figures);
    }

    /** The text's paragraphs, each with its line breaks folded into spaces. */
    List<String> paragraphs() {
        if (text.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(text.split("\\n\\s*\\n")).map(p -> p.strip().replaceAll("\\s*\\n\\s*", " ")).toList();
    }
}
