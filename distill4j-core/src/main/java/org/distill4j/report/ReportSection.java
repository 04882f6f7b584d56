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
 * @param header  the columns of a table shown after the text (empty: no table)
 * @param table   its rows, one cell per column, plain text
 */
public record ReportSection(String title, String text, List<Figure> figures, List<String> header,
        List<List<String>> table) {
    public ReportSection {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("a report section needs a title");
        }
        text = text == null ? "" : text.strip();
        figures = figures == null ? List.of() : List.copyOf(figures);
        header = header == null ? List.of() : List.copyOf(header);
        table = table == null ? List.of() : table.stream().map(List::copyOf).toList();
        for (List<String> row : table) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("a table row has " + row.size() + " cells for " + header.size()
                        + " columns: " + row);
            }
        }
    }

    /** A section of text and figures only. */
    public ReportSection(String title, String text, List<Figure> figures) {
        this(title, text, figures, List.of(), List.of());
    }

    /** The text's paragraphs before the table (those after a line "--" go below it). */
    List<String> paragraphsBefore() {
        return split(0);
    }

    /** Paragraphs after the table. */
    List<String> paragraphsAfter() {
        return split(1);
    }

    private List<String> split(int part) {
        String[] halves = text.split("\\n--\\n", 2);
        if (part == 1 && halves.length < 2) {
            return List.of();
        }
        return new ReportSection(title, halves[part], List.of()).paragraphs();
    }

    /** The text's paragraphs, each with its line breaks folded into spaces. */
    List<String> paragraphs() {
        if (text.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(text.split("\\n\\s*\\n")).map(p -> p.strip().replaceAll("\\s*\\n\\s*", " ")).toList();
    }
}
