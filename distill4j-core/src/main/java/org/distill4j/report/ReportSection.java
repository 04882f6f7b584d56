package org.distill4j.report;
/** A section of a report supplied by another class; text is plain text, paragraphs separated by blank lines. */
public record ReportSection(String title, String text, java.util.List<Figure> figures) {}
