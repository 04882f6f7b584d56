package org.distill4j.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What is needed to run a result again and to trust it: seed, code version, library versions, the
 * checksum of the data it saw, the machine and the time span (as Tribuo attaches to every model).
 */
public record Provenance(
        long seed,
        String gitCommit,
        Map<String, String> versions,
        String dataset,
        String datasetSha256,
        Map<String, Object> machine,
        String startTime,
        String endTime,
        Map<String, Object> skippedImages) {

    /** How many skipped images provenance names; the count is always complete. */
    static final int SKIPPED_NAMED = 20;

    public static Provenance start(long seed, String dataset, String datasetSha256, Map<String, String> versions) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return new Provenance(seed, currentCommit(), versions, dataset, datasetSha256, machine,
                Instant.now().toString(), null, null);
    }

    /**
     * Records the images the data set left out as unreadable (an image folder loaded with skipUnreadable): their
     * count and the first {@value #SKIPPED_NAMED} paths. Nothing is recorded when none were skipped.
     */
    public Provenance withSkippedImages(java.util.List<String> skipped) {
        if (skipped == null || skipped.isEmpty()) {
            return this;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", skipped.size());
        s.put("first", skipped.subList(0, Math.min(SKIPPED_NAMED, skipped.size())));
        return new Provenance(seed, gitCommit, versions, dataset, datasetSha256, machine, startTime, endTime, s);
    }

    public Provenance finish() {
        return new Provenance(seed, gitCommit, versions, dataset, datasetSha256, machine, startTime,
                Instant.now().toString(), skippedImages);
    }

    public void write(Path file) throws IOException {
        Json.writeJson(file, this);
    }

    /** The commit of the working directory's checkout, "-dirty" if it has changes, or "unknown" outside git. */
    static String currentCommit() {
        try {
            String head = run("git", "rev-parse", "HEAD");
            if (head.isEmpty()) {
                return "unknown";
            }
            return run("git", "status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "-dirty";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "";
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
