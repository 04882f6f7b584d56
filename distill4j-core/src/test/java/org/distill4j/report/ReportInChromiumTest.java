package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentResults;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report opened in a real browser: every image must decode there, from the page alone. */
class ReportInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Counts, once everything has loaded or failed, the images the browser could decode. */
    private static final String PROBE = "<script>window.onload=function(){var im=document.images,ok=0;"
            + "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}"
            + "document.body.setAttribute('data-images',im.length+'/'+ok);};</script>";

    @Test
    void everyImageOfTheReportLoadsInHeadlessChromium(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        Path root = FakeExperiment.create(dir, true);
        Report.write(ExperimentResults.load(root), List.of(ReportTest.extraSection()));

        // A copy elsewhere: the page must not need the experiment directory to show its images.
        String html = Files.readString(new ExperimentLayout(root).reportHtml());
        int body = html.lastIndexOf("</body>");
        Path page = Files.createDirectories(dir.resolve("copy")).resolve("page.html");
        Files.writeString(page, html.substring(0, body) + PROBE + html.substring(body));

        String dom = dumpDom(page);
        Matcher m = Pattern.compile("data-images=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the probe did not run; Chromium printed:\n" + dom.substring(0, Math.min(500, dom.length())));
        int count = Integer.parseInt(m.group(1));
        int loaded = Integer.parseInt(m.group(2));
        assertTrue(count >= 2, "expected the two charts at least, found " + count + " images");
        assertEquals(count, loaded, loaded + "/" + count + " images loaded");
    }

    private static String dumpDom(Path page) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--virtual-time-budget=10000", "--dump-dom", page.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process was killed: the assertion on its output reports it
            }
        });
        reader.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish within 60 s");
        }
        reader.join(5000);
        return out.toString(StandardCharsets.UTF_8);
    }
}
