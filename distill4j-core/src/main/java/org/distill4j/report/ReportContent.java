package org.distill4j.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.ModelReport;
import org.distill4j.experiment.ArchitectureSpeed;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentResults.SeedRun;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.Variant;
import org.distill4j.model.ModelSpec;

/**
 * Everything the report says, in order, before it is written as Markdown or HTML; both pages render this one
 * record, so they cannot disagree.
 *
 * @param title       the experiment's name
 * @param description the experiment's description, as paragraphs
 * @param facts       "what was run": label and text pairs
 * @param variants    one line per variant: its name, method and any training settings of its own
 * @param notes       how to read the table
 * @param rows        the comparison table
 * @param differences the table's statistics (Welch, Holm), shown right after it
 * @param failures    runs without metrics: {run, why}
 * @param charts      the charts (a third for born-again generations)
 * @param extra       sections supplied by the caller
 * @param provenance  one entry per run
 */
record ReportContent(String title, List<String> description, List<String[]> facts, List<String> variants,
        List<String> notes, List<ReportTable.Row> rows, ReportSection differences, List<String[]> failures, List<Figure> charts,
        List<ReportSection> extra, List<ProvenanceTable.Entry> provenance) {

    /** Keys of a variant's training config that always differ and say nothing about the recipe. */
    private static final Set<String> NOT_RECIPE = Set.of("seed", "dataDir");

    static ReportContent of(ExperimentResults r, List<ReportSection> extra) {
        ExperimentConfig c = r.config();
        List<ReportTable.Row> rows = ReportTable.rows(r);
        List<String> description = c.description().isEmpty() ? List.of()
                : Arrays.stream(c.description().split("\\n\\s*\\n")).map(String::strip).toList();
        List<String[]> facts = List.of(
                new String[] {"Teacher", c.teacher().describe()},
                new String[] {"Students", student(c.student(), firstFinished(r))},
                new String[] {"Seeds", c.seeds().size() + " (" + join(c.seeds()) + "); each variant is trained "
                        + "once per seed and the table reports the mean and sample standard deviation over them"});
        List<String> variants = new ArrayList<>();
        List<String> labels = ReportTable.labels(c);
        for (int i = 0; i < c.variants().size(); i++) {
            Variant v = c.variants().get(i);
            Map<String, Object[]> own = Overrides.differences(c.student(), v.student());
            own.keySet().removeAll(NOT_RECIPE);
            String method = v.describe().startsWith(v.name() + ": ")
                    ? v.describe().substring(v.name().length() + 2) : v.describe();
            StringBuilder sb = new StringBuilder(v.name()).append(" (").append(labels.get(i)).append("): ")
                    .append(method);
            if (!own.isEmpty()) {
                sb.append("; its own settings: ").append(String.join(", ",
                        own.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[1]).toList()));
            }
            variants.add(sb.toString());
        }
        List<String> notes = List.of(
                "Top-1 is the test accuracy after the last epoch, as mean ± sample standard deviation over the "
                        + "finished seeds; Δ is its difference to the student-only row, in percentage points.",
                "Best-epoch top-1 takes, for each run, the epoch with the highest test accuracy. That epoch is "
                        + "selected on the test set itself, so the figure is optimistic; it is shown only to "
                        + "compare with papers that report it.",
                "Latency is the median batch-1 forward time and images/s the inference throughput at batch "
                        + ModelReport.THROUGHPUT_BATCH + ", both measured on " + device(r) + " of the machine that ran the "
                        + "experiment, in distill4j's own inference (libtorch, BatchNorm folded). The ONNX Runtime "
                        + "columns time the same model exported to ONNX (`distill4j export`), run by ONNX Runtime on "
                        + "that machine's CPU, by the same protocol. " + speedSource(r));
        List<String[]> failures = new ArrayList<>();
        if (r.teacher() == null) {
            failures.add(new String[] {"teacher", "no teacher-metrics.json: the teacher stage did not finish"});
        }
        for (VariantResult v : r.variants()) {
            for (SeedRun run : v.runs()) {
                if (run.metrics() == null) {
                    failures.add(new String[] {v.name() + ", seed " + run.seed(), run.error() != null ? run.error()
                            : "no metrics.json and no error recorded: not run yet, or interrupted"});
                }
            }
        }
        List<Figure> charts = new ArrayList<>(List.of(Charts.accuracyPerEpoch(r), Charts.accuracyVsParams(rows)));
        Figure generations = Charts.accuracyByGeneration(r, rows);
        if (generations != null) {
            charts.add(generations);
        }
        return new ReportContent(c.name(), description, facts, variants, notes, rows,
                Differences.section(Differences.of(r)), failures, charts,
                extra == null ? List.of() : List.copyOf(extra), ProvenanceTable.of(r));
    }

    /** Every figure of the report, charts first, in the order they appear. */
    List<Figure> figures() {
        List<Figure> all = new ArrayList<>(charts);
        extra.forEach(s -> all.addAll(s.figures()));
        return all;
    }

    private static String student(TrainConfig s, Metrics m) {
        String train = m != null ? String.format(Locale.ROOT, "%,d", m.trainImages())
                : s.trainSubset() > 0 ? String.format(Locale.ROOT, "%,d", s.trainSubset()) : "all";
        String test = m != null ? String.format(Locale.ROOT, "%,d", m.testImages())
                : s.testSubset() > 0 ? String.format(Locale.ROOT, "%,d", s.testSubset()) : "all";
        return String.format(Locale.ROOT, "%s on %s: %s training images, %s test images, %d epochs "
                + "(batch %d, lr %s, %s schedule%s)", ModelSpec.label(s.model(), s.width()), s.dataset(), train,
                test, s.epochs(), s.batchSize(), s.lr(), s.schedule(), s.augment() ? ", augmented" : "");
    }

    private static String speedSource(ExperimentResults r) {
        return ArchitectureSpeed.read(r.layout()).architectures().isEmpty()
                ? "Each run was timed on its own and the figures are the mean over its seeds."
                : "Each student architecture was timed once, after the study's last run, for all its rows (speed.json "
                        + "names the run it timed): the networks are identical, so one measurement is their latency "
                        + "and differences between rows of one architecture would only be noise.";
    }

    private static Metrics firstFinished(ExperimentResults r) {
        return r.variants().stream().flatMap(v -> v.finished().stream()).findFirst().orElse(null);
    }

    private static String device(ExperimentResults r) {
        Metrics m = firstFinished(r);
        return m != null && m.device() != null ? "the " + m.device().replace("()", "") : "the device";
    }

    private static String join(List<Long> xs) {
        return String.join(", ", xs.stream().map(String::valueOf).toList());
    }
}
