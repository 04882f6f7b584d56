package org.distill4j.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.distill4j.experiment.ExperimentResults.SeedRun;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.run.Json;
import org.distill4j.run.Provenance;

/**
 * The provenance section: one entry per run (the teacher, then every variant and seed) with what is needed to
 * trust or repeat it, and links to the files it left. A run that died early simply has fewer links.
 */
final class ProvenanceTable {
    /** Files of a run directory that the report links to, when present. */
    static final List<String> RUN_FILES = List.of("config.yaml", "provenance.json", "metrics.json", "history.csv");
    static final List<String> HEADERS = List.of("Run", "Seed", "Status", "Git commit", "Dataset SHA-256",
            "Start → end (UTC)", "Files", "Versions");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** A link from the report to a file: relative to the experiment directory, or a file: URL outside it. */
    record Link(String name, String href) {}

    record Entry(String run, String seed, String status, String gitCommit, String datasetSha256, String time,
            List<Link> links, String versions) {
        /** The text cells before the links, in the order of {@link #HEADERS}. */
        List<String> leading() {
            return List.of(run, seed, status, gitCommit, datasetSha256, time);
        }
    }

    private ProvenanceTable() {}

    static List<Entry> of(ExperimentResults r) {
        Path root = r.layout().root();
        List<Entry> entries = new ArrayList<>();
        List<Link> teacherLinks = links(root, r.teacherRun());
        if (Files.isRegularFile(r.layout().teacherMetrics())) {
            teacherLinks.add(link(root, r.layout().teacherMetrics()));
        }
        if (r.teacherRun() == null && r.teacherModel() != null && Files.exists(r.teacherModel())) {
            teacherLinks.add(link(root, r.teacherModel()));
        }
        long teacherSeed = r.config().teacher().train() != null ? r.config().teacher().train().seed() : -1;
        entries.add(entry("teacher", teacherSeed, r.teacher() != null ? "measured" : "missing",
                r.teacherRun(), teacherLinks));
        for (VariantResult v : r.variants()) {
            for (SeedRun run : v.runs()) {
                String status = run.metrics() != null ? "finished" : run.error() != null ? "failed" : "not run";
                entries.add(entry(v.name(), run.seed(), status, run.dir(), links(root, run.dir())));
            }
        }
        return entries;
    }

    private static Entry entry(String name, long seed, String status, Path dir, List<Link> links) {
        Provenance p = read(dir);
        if (p == null) {
            return new Entry(name, seed < 0 ? "—" : Long.toString(seed), status, "—", "—", "—", links, "—");
        }
        return new Entry(name, Long.toString(p.seed()), status, orDash(commit(p.gitCommit())),
                orDash(shortHash(p.datasetSha256(), 12)), span(p.startTime(), p.endTime()), links,
                versions(p.versions()));
    }

    /** provenance.json of a run, or null if absent or unreadable (the report must survive a half-written run). */
    private static Provenance read(Path dir) {
        if (dir == null || !Files.isRegularFile(dir.resolve("provenance.json"))) {
            return null;
        }
        try {
            return Json.readJson(dir.resolve("provenance.json"), Provenance.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static List<Link> links(Path root, Path dir) {
        List<Link> links = new ArrayList<>();
        if (dir != null) {
            for (String f : RUN_FILES) {
                if (Files.isRegularFile(dir.resolve(f))) {
                    links.add(link(root, dir.resolve(f)));
                }
            }
        }
        return links;
    }

    static Link link(Path root, Path file) {
        return new Link(file.getFileName().toString(), href(root, file));
    }

    /** Relative (with '/') when the file is inside the experiment directory, so the report can be moved with it. */
    static String href(Path root, Path file) {
        Path base = root.toAbsolutePath().normalize();
        Path f = file.toAbsolutePath().normalize();
        if (f.startsWith(base)) {
            List<String> parts = new ArrayList<>();
            base.relativize(f).forEach(p -> parts.add(p.toString()));
            return String.join("/", parts);
        }
        return f.toUri().toString();
    }

    private static String versions(Map<String, String> versions) {
        if (versions == null || versions.isEmpty()) {
            return "—";
        }
        return versions.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().equals("null"))
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** "2025-01-01 10:00:00 → 10:05:00": the end's date only when it differs from the start's. */
    private static String span(String start, String end) {
        String a = time(start);
        String b = time(end);
        return a + " → " + (a.length() == 19 && b.length() == 19 && a.startsWith(b.substring(0, 11))
                ? b.substring(11) : b);
    }

    private static String time(String iso) {
        if (iso == null) {
            return "—";
        }
        try {
            return TIME.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** The commit's first 12 digits, keeping the "-dirty" mark of a checkout with changes. */
    private static String commit(String c) {
        if (c == null) {
            return null;
        }
        boolean dirty = c.endsWith("-dirty");
        return shortHash(dirty ? c.substring(0, c.length() - "-dirty".length()) : c, 12) + (dirty ? " (dirty)" : "");
    }

    private static String shortHash(String s, int n) {
        return s == null ? null : s.length() > n && !s.startsWith("unknown") ? s.substring(0, n) + "…" : s;
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }
}
