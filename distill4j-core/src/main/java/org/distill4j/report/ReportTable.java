package org.distill4j.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.distill4j.distill.Methods;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.ArchitectureSpeed;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.Variant;
import org.distill4j.model.ModelSpec;
import org.distill4j.run.Json;
import org.distill4j.run.RunDirectory;

/**
 * The report's comparison table: one row per variant (its seeds pooled) and the teacher last. Accuracies are in
 * percent; a row whose seeds all failed keeps its place with NaN figures, so a missing result is seen, not hidden.
 */
public final class ReportTable {

    /**
     * @param label              readable name, e.g. "Student + KD", "Teacher (resnet50-cbam w16)" or
     *                           "Teacher (wrn-40-2)"
     * @param variant            the variant's name in the experiment file ("teacher" for the teacher row)
     * @param seeds              finished runs behind the figures
     * @param failed             runs without metrics (failed, or not run yet); not in the figures
     * @param top1Mean           mean final-epoch test top-1 over the finished seeds, %
     * @param top1Std            its sample standard deviation (n - 1), 0 for a single seed, %
     * @param top1BestMean       mean best-epoch test top-1 (chosen on the test set, so optimistic), %
     * @param deltaVsStudentOnly top1Mean minus the student-only row's top1Mean, percentage points (NaN if none)
     * @param params             trainable parameters (0 if no run finished)
     * @param sizeMb             serialized parameters, 10^6 bytes
     * @param latencyMs          batch-1 latency, mean over seeds
     * @param imagesPerSec       inference throughput, mean over seeds
 * @param onnxLatencyMs      batch-1 latency of the ONNX export in ONNX Runtime (CPU), mean over the seeds that
 *                           measured it (NaN if none did)
 * @param onnxImagesPerSec   ONNX Runtime throughput, likewise
     * @param best               the student row with the highest top1Mean
     * @param teacher            the teacher's row
     */
    public record Row(String label, String variant, int seeds, int failed, double top1Mean, double top1Std,
            double top1BestMean, double deltaVsStudentOnly, long params, double sizeMb, double latencyMs,
            double imagesPerSec, double onnxLatencyMs, double onnxImagesPerSec, boolean best, boolean teacher) {}

    private ReportTable() {}

    public static List<Row> rows(ExperimentResults r) {
        List<String> labels = labels(r.config());
        ArchitectureSpeed.Table speed = ArchitectureSpeed.read(r.layout());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < r.variants().size(); i++) {
            VariantResult v = r.variants().get(i);
            List<Metrics> done = v.finished();
            rows.add(withSpeed(row(labels.get(i), v.name(), done, v.runs().size() - done.size(), false), done,
                    speed));
        }
        // mutual learning's other peers, after every variant (so row i is still variant i)
        for (int i = 0; i < r.variants().size(); i++) {
            VariantResult v = r.variants().get(i);
            int peers = r.config().variants().get(i).student().peers();
            for (int k = 2; k <= peers; k++) {
                List<Metrics> done = new ArrayList<>();
                for (ExperimentResults.SeedRun run : v.runs()) {
                    Path m = new RunDirectory(run.dir()).peer(k).metrics();
                    if (run.metrics() != null && Files.isRegularFile(m)) {
                        done.add(Json.readJson(m, Metrics.class));
                    }
                }
                String label = labels.get(i).endsWith(", peer 1") ? labels.get(i).substring(0,
                        labels.get(i).length() - ", peer 1".length()) : labels.get(i);
                rows.add(withSpeed(row(label + ", peer " + k, v.name() + "/peer-" + k, done,
                        v.runs().size() - done.size(), false), done, speed));
            }
        }
        List<Metrics> teacher = r.teacher() == null ? List.of() : List.of(r.teacher());
        rows.add(row(teacherLabel(r.teacher()), "teacher", teacher, 1 - teacher.size(), true));
        // variants with their own teacher (an ensemble, one of its members): one row per distinct teacher
        Map<Metrics, List<String>> own = new LinkedHashMap<>();
        for (VariantResult v : r.variants()) {
            if (v.teacher() != null) {
                own.computeIfAbsent(v.teacher(), k -> new ArrayList<>()).add(v.name());
            }
        }
        own.forEach((m, vs) -> rows.add(row(teacherLabel(m) + " of " + String.join(", ", vs), "teacher", List.of(m), 0,
                true)));

        int reference = referenceRow(r.config());
        double base = reference < 0 ? Double.NaN : rows.get(reference).top1Mean();
        int best = -1;
        for (int i = 0; i < rows.size(); i++) {
            double m = rows.get(i).top1Mean();
            if (rows.get(i).teacher()) {
                continue;
            }
            if (!Double.isNaN(m) && (best < 0 || m > rows.get(best).top1Mean())) {
                best = i;
            }
        }
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row x = rows.get(i);
            out.add(new Row(x.label(), x.variant(), x.seeds(), x.failed(), x.top1Mean(), x.top1Std(),
                    x.top1BestMean(), x.top1Mean() - base, x.params(), x.sizeMb(), x.latencyMs(), x.imagesPerSec(),
                    x.onnxLatencyMs(), x.onnxImagesPerSec(), i == best, x.teacher()));
        }
        return out;
    }

    private static Row row(String label, String variant, List<Metrics> done, int failed, boolean teacher) {
        double[] top1 = done.stream().mapToDouble(m -> 100 * m.top1()).toArray();
        double[] best = done.stream().mapToDouble(m -> 100 * m.top1Best()).toArray();
        double[] latency = done.stream().mapToDouble(Metrics::latencyMs).toArray();
        double[] speed = done.stream().mapToDouble(Metrics::throughputImagesPerSec).toArray();
        double[] onnxLatency = done.stream().filter(m -> m.onnxLatencyMs() != null)
                .mapToDouble(Metrics::onnxLatencyMs).toArray();
        double[] onnxSpeed = done.stream().filter(m -> m.onnxImagesPerSec() != null)
                .mapToDouble(Metrics::onnxImagesPerSec).toArray();
        Metrics first = done.isEmpty() ? null : done.get(0);
        return new Row(label, variant, done.size(), failed, mean(top1), sampleStd(top1), mean(best), Double.NaN,
                first == null ? 0 : first.params(), first == null ? Double.NaN : first.sizeBytes() / 1e6,
                mean(latency), mean(speed), mean(onnxLatency), mean(onnxSpeed), false, teacher);
    }

    /**
     * The row with its architecture's one measurement from the study's speed.json, when the study took one (a study
     * of older runs has none: their own measurements, averaged over seeds, stand).
     */
    private static Row withSpeed(Row x, List<Metrics> done, ArchitectureSpeed.Table speed) {
        ArchitectureSpeed.Entry e = done.isEmpty() ? null : speed.find(ArchitectureSpeed.key(done.get(0)));
        if (e == null) {
            return x;
        }
        return new Row(x.label(), x.variant(), x.seeds(), x.failed(), x.top1Mean(), x.top1Std(), x.top1BestMean(),
                x.deltaVsStudentOnly(), x.params(), x.sizeMb(), e.latencyMs(), e.imagesPerSec(),
                e.onnxLatencyMs() == null ? Double.NaN : e.onnxLatencyMs(),
                e.onnxImagesPerSec() == null ? Double.NaN : e.onnxImagesPerSec(), x.best(), x.teacher());
    }

    /** The row deltas are measured against: the variant named student-only, else the first labels-only one. */
    static int referenceRow(ExperimentConfig c) {
        List<Variant> vs = c.variants();
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).name().equals("student-only")) {
                return i;
            }
        }
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).labelsOnly() && vs.get(i).student().peers() == 1) {
                return i;
            }
        }
        return -1;
    }

    /** One readable label per variant, in order; two variants with the same method get their names appended. */
    static List<String> labels(ExperimentConfig c) {
        List<String> labels = new ArrayList<>();
        Map<String, Integer> uses = new HashMap<>();
        for (Variant v : c.variants()) {
            String l = v.bornAgain() ? "Born-again generation " + c.generation(v) + " (" + label(v) + ")" : label(v);
            labels.add(l);
            uses.merge(l, 1, Integer::sum);
        }
        for (int i = 0; i < labels.size(); i++) {
            String name = c.variants().get(i).name();
            if (uses.get(labels.get(i)) > 1 && !labels.get(i).equals(name)) {
                labels.set(i, labels.get(i) + " (" + name + ")");
            }
        }
        return labels;
    }

    /** The preset's label (a labels-only variant is "Student only"); a method of the user's own is named as given. */
    static String label(Variant v) {
        if (v.student().peers() > 1) {
            return "Student + DML (" + v.student().peers() + " peers), peer 1";
        }
        return v.labelsOnly() ? "Student only" : Methods.label(v.method());
    }

    static String teacherLabel(Metrics teacher) {
        return teacher == null ? "Teacher (not measured)"
                : "Teacher (" + ModelSpec.label(teacher.model(), teacher.width()) + ")";
    }

    /** The table as GitHub-flavoured Markdown; the best student row is bold and starred. */
    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", HEADERS)).append(" |\n|");
        for (int i = 0; i < HEADERS.size(); i++) {
            sb.append(i == 0 ? ":---|" : "---:|");
        }
        sb.append('\n');
        for (Row r : rows) {
            List<String> cells = cells(r).stream().map(MarkdownPage::escape).toList();
            sb.append('|');
            for (int i = 0; i < cells.size(); i++) {
                boolean bold = r.best() && (i == 0 || i == 1);
                sb.append(' ').append(bold ? "**" + cells.get(i) + "**" : cells.get(i)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static final List<String> HEADERS = List.of("Model", "Top-1 % (mean\u00a0±\u00a0std)", "Seeds", "Best-epoch top-1 %",
            "Δ vs student only", "Params", "Size MB", "Latency ms (batch 1)", "Images/s",
            "ONNX Runtime ms (batch 1)", "ONNX Runtime images/s");

    /** The formatted cells of a row, in the order of {@link #HEADERS}; Markdown and HTML share them. */
    static List<String> cells(Row r) {
        String seeds = r.failed() == 0 ? Integer.toString(r.seeds()) : r.seeds() + " of " + (r.seeds() + r.failed());
        return List.of(r.best() ? r.label() + " ★" : r.label(),
                r.seeds() > 1 ? meanStd(r.top1Mean(), r.top1Std()) : fixed(r.top1Mean(), 2),
                seeds,
                fixed(r.top1BestMean(), 2),
                Double.isNaN(r.deltaVsStudentOnly()) ? "—" : String.format(Locale.ROOT, "%+.2f", r.deltaVsStudentOnly()),
                r.params() > 0 ? String.format(Locale.ROOT, "%,d", r.params()) : "—",
                fixed(r.sizeMb(), 2),
                fixed(r.latencyMs(), 2),
                rate(r.imagesPerSec()),
                fixed(r.onnxLatencyMs(), 2),
                rate(r.onnxImagesPerSec()));
    }

    private static String rate(double imagesPerSec) {
        return Double.isNaN(imagesPerSec) ? "—" : String.format(Locale.ROOT, "%,.0f", imagesPerSec);
    }

    /** "84.31 ± 0.42": the report's one format for an accuracy over seeds. */
    static String meanStd(double mean, double std) {
        return Double.isNaN(mean) ? "—" : String.format(Locale.ROOT, "%.2f ± %.2f", mean, std);
    }

    static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Mean; NaN for no values. */
    public static double mean(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Sample standard deviation (Bessel's n - 1): the seeds are a sample of the runs one could have made. */
    public static double sampleStd(double[] xs) {
        if (xs.length < 2) {
            return xs.length == 0 ? Double.NaN : 0;
        }
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (xs.length - 1));
    }
}
