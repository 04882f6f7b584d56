package org.distill4j.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.run.Json;

/**
 * status.json: what the last {@code distill4j run} did with each run of the study, so that a report (and a
 * person) can tell a failed variant from one that has not run.
 *
 * @param teacherSha256     SHA-256 of the teacher's parameters.bin the students were distilled from
 * @param teacherMetricsKey what teacher-metrics.json was measured on (teacher checksum and test set); a change
 *                          measures the teacher again
 * @param runs              one entry per student run, in the order they were visited
 */
public record ExperimentStatus(String teacherSha256, String teacherMetricsKey, List<Entry> runs) {

    /** Outcomes of one run. */
    public static final String TRAINED = "trained";
    public static final String RESUMED = "resumed";
    public static final String REUSED = "reused";
    public static final String FAILED = "failed";

    /**
     * @param variant the variant's name
     * @param seed    the run's seed
     * @param outcome trained, resumed, reused or failed
     * @param error   the failure's message, or null
     * @param seconds wall time spent on it in this invocation
     */
    public record Entry(String variant, long seed, String outcome, String error, double seconds) {}

    public ExperimentStatus {
        runs = runs == null ? new ArrayList<>() : new ArrayList<>(runs);
    }

    static String key(String variant, long seed) {
        return variant + "/seed-" + seed;
    }

    public Map<String, String> errorsByRun() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Entry e : runs) {
            if (FAILED.equals(e.outcome())) {
                m.put(key(e.variant(), e.seed()), e.error());
            }
        }
        return m;
    }

    public static ExperimentStatus read(Path file) {
        return Json.readJson(file, ExperimentStatus.class);
    }

    public void write(Path file) throws IOException {
        Json.writeJson(file, this);
    }
}
