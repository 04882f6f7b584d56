package org.distill4j.report;

import java.util.Objects;

/**
 * One image of the report: saved as {@code report-files/FILE} beside report.md and embedded in report.html.
 *
 * @param file    a plain file name ending in .png (letters, digits, '.', '-', '_'), unique within a report
 * @param caption one or two sentences saying what the image shows and how to read it
 * @param png     the PNG bytes
 */
public record Figure(String file, String caption, byte[] png) {
    public Figure {
        if (file == null || !file.matches("[A-Za-z0-9][A-Za-z0-9._-]*\\.png")) {
            throw new IllegalArgumentException("figure file '" + file
                    + "' must be a plain name ending in .png (it is written under report-files/)");
        }
        caption = caption == null ? "" : caption.strip();
        Objects.requireNonNull(png, "png");
    }
}
