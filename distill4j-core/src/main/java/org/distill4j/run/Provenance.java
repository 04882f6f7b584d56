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
        String endTime) {

    public static Provenance start(long seed, String dataset, String datasetSha256, Map<String, String> versions) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return new Provenance(seed, currentCommit(), versions, dataset, datasetSha256, machine,
                Instant.now().toString(), null);
    }

    public Provenance finish() {
        return new Provenance(seed, gitCommit, versions, dataset, datasetSha256, machine, startTime,
                Instant.now().toString());
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
