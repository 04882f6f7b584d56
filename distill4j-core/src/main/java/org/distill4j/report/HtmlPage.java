package org.distill4j.report;

import java.util.Base64;
import java.util.List;

/**
 * report.html: the report as one self-contained page. The style sheet is inline and every image is a data: URI,
 * so the file can be mailed or archived alone and opens offline, with no request leaving the page.
 */
final class HtmlPage {
    private static final String CSS = """
            body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;
              max-width:1180px;margin:2rem auto;padding:0 1.5rem}
            h1{font-size:1.9rem;margin-bottom:.3rem}
            h2{font-size:1.35rem;margin-top:2.4rem;border-bottom:1px solid #d8dee4;padding-bottom:.3rem}
            h3{font-size:1.1rem;margin-top:1.6rem}
            ul.facts{padding-left:1.2rem} ul.facts li{margin:.25rem 0}
            code{font:.9em ui-monospace,"DejaVu Sans Mono",monospace;background:#f3f4f6;padding:.1em .3em;border-radius:3px}
            .scroll{overflow-x:auto}
            table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums}
            th,td{padding:.4rem .55rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
            th{background:#f6f8fa;text-align:right;font-weight:600;font-size:.85rem;line-height:1.25;vertical-align:bottom}
            th:first-child,td:first-child{text-align:left}
            td{text-align:right;white-space:nowrap}
            table.results{font-size:.95rem} table.results td:first-child{white-space:normal;min-width:13rem}
            table.results tr.best td{font-weight:700;background:#fff6d6}
            table.results tr.teacher td{border-top:2px solid #9aa4ae;color:#3d444d}
            table.provenance{font-size:.8rem} table.provenance th,table.provenance td{text-align:left}
            table.provenance th{white-space:nowrap}
            table.provenance td.files,table.provenance td.versions{white-space:normal;min-width:9rem}
            table.provenance td.files a{white-space:nowrap}
            .note{color:#57606a;font-size:.92rem;margin:.4rem 0}
            .failed{color:#a40e26}
            figure{margin:1.6rem 0} figure img{max-width:100%;height:auto;border:1px solid #e5e7eb}
            figcaption{color:#57606a;font-size:.92rem;margin-top:.4rem}
            """;
    private final StringBuilder h = new StringBuilder();

    private HtmlPage() {}

    static String render(ReportContent c) {
        return new HtmlPage().page(c);
    }

    private String page(ReportContent c) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(esc(c.title())).append(" — distill4j report</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<h1>").append(esc(c.title())).append("</h1>\n");
        c.description().forEach(p -> h.append("<p>").append(esc(p)).append("</p>\n"));
        h.append("<h2>What was run</h2>\n<ul class=\"facts\">\n");
        for (String[] f : c.facts()) {
            h.append("<li><strong>").append(esc(f[0])).append(":</strong> ").append(esc(f[1])).append("</li>\n");
        }
        h.append("<li><strong>Variants:</strong><ul>\n");
        c.variants().forEach(v -> h.append("<li>").append(esc(v)).append("</li>\n"));
        h.append("</ul></li>\n</ul>\n<h2>Results</h2>\n");
        results(c.rows());
        h.append("<p class=\"note\">★ marks the student with the highest mean top-1.</p>\n");
        c.notes().forEach(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        section(c.differences());
        if (!c.failures().isEmpty()) {
            h.append("<h3 class=\"failed\">Runs without results</h3>\n<ul>\n");
            for (String[] f : c.failures()) {
                h.append("<li><strong>").append(esc(f[0])).append(":</strong> <code>").append(esc(f[1]))
                        .append("</code></li>\n");
            }
            h.append("</ul>\n");
        }
        c.charts().forEach(this::figure);
        c.extra().forEach(this::section);
        provenance(c.provenance());
        return h.append("</body>\n</html>\n").toString();
    }

    private void section(ReportSection s) {
        h.append("<h2>").append(esc(s.title())).append("</h2>\n");
        s.paragraphsBefore().forEach(p -> h.append("<p>").append(esc(p)).append("</p>\n"));
        if (!s.header().isEmpty()) {
            h.append("<div class=\"scroll\"><table class=\"results\">\n<thead><tr>");
            s.header().forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
            h.append("</tr></thead>\n<tbody>\n");
            for (List<String> row : s.table()) {
                h.append("<tr>");
                row.forEach(x -> h.append("<td>").append(esc(x)).append("</td>"));
                h.append("</tr>\n");
            }
            h.append("</tbody>\n</table></div>\n");
        }
        s.paragraphsAfter().forEach(p -> h.append("<p>").append(esc(p)).append("</p>\n"));
        s.figures().forEach(this::figure);
    }

    private void results(List<ReportTable.Row> rows) {
        h.append("<div class=\"scroll\"><table class=\"results\">\n<thead><tr>");
        ReportTable.HEADERS.forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        for (ReportTable.Row r : rows) {
            h.append(r.best() ? "<tr class=\"best\">" : r.teacher() ? "<tr class=\"teacher\">" : "<tr>");
            ReportTable.cells(r).forEach(x -> h.append("<td>").append(esc(x)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private void provenance(List<ProvenanceTable.Entry> entries) {
        h.append("<h2>Provenance</h2>\n<p class=\"note\">Each run directory holds the resolved config, seed, code "
                + "and library versions and the dataset's checksum: enough to run it again. Links are relative to "
                + "this file's directory.</p>\n<div class=\"scroll\"><table class=\"provenance\">\n<thead><tr>");
        ProvenanceTable.HEADERS.forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        for (ProvenanceTable.Entry e : entries) {
            h.append("<tr>");
            List<String> cells = e.leading();
            for (int i = 0; i < cells.size(); i++) {
                boolean bad = i == 2 && !e.status().equals("finished") && !e.status().equals("measured");
                h.append(bad ? "<td class=\"failed\">" : "<td>").append(esc(cells.get(i))).append("</td>");
            }
            h.append("<td class=\"files\">");
            e.links().forEach(l -> h.append("<a href=\"").append(esc(l.href())).append("\">").append(esc(l.name()))
                    .append("</a> "));
            h.append(e.links().isEmpty() ? "—" : "").append("</td><td class=\"versions\">").append(esc(e.versions()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private void figure(Figure f) {
        h.append("<figure id=\"").append(esc(f.file().replace(".png", ""))).append("\"><img src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(f.png())).append("\" alt=\"").append(esc(f.caption()))
                .append('"');
        int[] size = pngSize(f.png());
        if (size != null) {
            h.append(" width=\"").append(size[0]).append("\" height=\"").append(size[1]).append('"');
        }
        h.append("><figcaption>").append(esc(f.caption())).append("</figcaption></figure>\n");
    }

    /** Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian), so the page does not reflow. */
    static int[] pngSize(byte[] png) {
        if (png.length < 24 || (png[0] & 0xff) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
            return null;
        }
        return new int[] {readInt(png, 16), readInt(png, 20)};
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
