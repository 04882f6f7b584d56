package org.distill4j.report;
/** One image of a report. @param file unique file name like "soft-targets-1.png" */
public record Figure(String file, String caption, byte[] png) {}
