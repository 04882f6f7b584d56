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

    /** Script that would run if any text reached the page unescaped: it renames the page. */
    private static final String HOSTILE = "<script>document.title=1337</script><img src=x onerror=document.title=4242>";

    @Test
    void hostileTextFromEveryInputRendersAsTextInHeadlessChromium(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        Path root = FakeExperiment.create(dir, true);
        ExperimentLayout layout = new ExperimentLayout(root);
        // a study description, a run's error message, and a class name (as the attention section shows one, from an
        // image folder's directory name or a teacher manifest) all carry the payload
        Path experiment = layout.experimentFile();
        Files.writeString(experiment, Files.readString(experiment).replace("Does distillation help a small student?",
                HOSTILE));
        Files.writeString(layout.status(), Files.readString(layout.status()).replace("<batch 17>", HOSTILE));
        ReportSection classes = new ReportSection("Attention of class " + HOSTILE, "The teacher says " + HOSTILE
                + " at 97%.", List.of(new Figure("attention-0.png", "Image 0, labelled " + HOSTILE,
                        ReportTest.extraSection().figures().get(0).png())), List.of("class", HOSTILE),
                List.of(List.of(HOSTILE, "0.97")));
        Report.write(ExperimentResults.load(root), List.of(classes));
        String html = Files.readString(layout.reportHtml());
        assertTrue(html.contains(HtmlPage.esc(HOSTILE)), "the payload is in the page, escaped");
        assertTrue(!html.contains("<script>document.title") && !html.contains("<img src=x"), "never raw");

        String dom = dumpDom(layout.reportHtml());
        Matcher title = Pattern.compile("<title>([^<]*)</title>").matcher(dom);
        assertTrue(title.find(), "Chromium rendered the page:\n" + dom.substring(0, Math.min(500, dom.length())));
        assertTrue(title.group(1).endsWith("distill4j report"), "no script renamed the page: " + title.group(1));
        assertTrue(!dom.contains("<img src=\"x\"") && !dom.contains("<script>document"), "no element was created");
        // the payload reached the reader as text, in the description, the failure, and the class name's places
        int shown = dom.split(Pattern.quote("&lt;script&gt;document.title=1337&lt;/script&gt;"), -1).length - 1;
        assertTrue(shown >= 5, "the payload shows as text in every place it was put: " + shown);
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
