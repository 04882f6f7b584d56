package org.distill4j.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.distill4j.config.ConfigException;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentRunner;
import org.distill4j.eval.WelchTest;
import org.distill4j.report.Differences;
import org.distill4j.report.ReportBuilder;
import org.distill4j.report.ReportTable;

/**
 * The demo: the study in {@code experiments/fashion-mnist-quick.yaml}, on Fashion-MNIST (real data, installed
 * offline by Debian's dataset-fashion-mnist). It loads the shipped ResNet50+CBAM teacher (checking its SHA-256),
 * trains six ResNet18 students over five seeds (labels only, KD, KD + attention, KD + causal attention,
 * KD + alignment, the seed's full loss), and writes the report. The file states the sizes that keep it within
 * 10 minutes on a 2-core CPU, and prints the table with its statistics.
 */
public final class Demo {
    /** The demo's experiment, relative to the distill4j checkout. */
    public static final String EXPERIMENT = "experiments/fashion-mnist-quick.yaml";

    /**
     * @param results the study's runs
     * @param rows    the comparison table
     * @param table   the table as printed
     * @param differences the table's statistics as printed (Welch intervals, Holm-corrected p-values)
     * @param kdGain  KD's gain over labels alone, with its error bar
     * @param report  report.html
     */
    public record Result(ExperimentResults results, List<ReportTable.Row> rows, String table, String differences,
            String kdGain,
            Path report) {}

    private Demo() {}

    /**
     * The demo's experiment file: under the checkout named by the system property {@code distill4j.home} (the
     * launcher sets it), else under the working directory.
     */
    public static Path experimentFile() {
        Path home = Path.of(System.getProperty("distill4j.home", ""));
        Path file = home.resolve(EXPERIMENT).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + " not found: run the demo from a distill4j checkout (./distill4j demo), "
                    + "or pass --experiment FILE");
        }
        return file;
    }

    public static Result run(Path experiment, Path out, Path dataDir, ExperimentRunner.Listener listener)
            throws IOException {
        ExperimentConfig config = ExperimentConfig.load(experiment);
        if (dataDir != null) {
            config = config.withDataDir(dataDir);
        }
        ExperimentResults results = ExperimentRunner.run(config, out, listener);
        listener.message("writing the report");
        Path report = ReportBuilder.write(out);
        results = ExperimentResults.load(out);
        List<ReportTable.Row> rows = ReportTable.rows(results);
        List<Differences.Comparison> differences = Differences.of(results);
        return new Result(results, rows, ReportTable.markdown(rows), Differences.markdown(differences),
                kdGain(differences), report);
    }

    /**
     * KD's gain over the student trained on labels alone, in one line: the difference of the means over seeds, its
     * Welch 95% interval, how many standard errors of the difference it is, and its p-value before and after the
     * table's Holm correction; "significant" only when the corrected p-value is below 0.05.
     */
    public static String kdGain(List<Differences.Comparison> differences) {
        Differences.Comparison kd = Differences.find(differences, "kd", "student-only");
        if (kd == null || Double.isNaN(kd.test().difference())) {
            return "KD gain: not measured (a kd or student-only run is missing)";
        }
        WelchTest t = kd.test();
        if (!t.defined()) {
            return String.format(Locale.ROOT, "KD gain over labels alone: %+.2f points top-1 (%d and %d seeds: too "
                    + "few, or no spread, for an error bar)", t.difference(), t.n1(), t.n2());
        }
        long family = differences.stream().filter(x -> x.test().defined()).count();
        return String.format(Locale.ROOT, "KD gain over labels alone: %+.2f points top-1, 95%% CI [%+.2f, %+.2f] "
                + "(Welch; %d and %d seeds), %.1f standard errors of the difference; p = %s, Holm-corrected over the "
                + "table's %d comparisons %s: %s", t.difference(), t.low(), t.high(), t.n1(), t.n2(), t.t(),
                Differences.pValue(t.p()), family, Differences.pValue(kd.holmP()), kd.significant() ? "significant"
                        : "not conclusive at 0.05 across the table");
    }

    private static double[] top1(String variant, ExperimentResults r) {
        return r.variants().stream().filter(v -> v.name().equals(variant)).findFirst()
                .map(v -> v.finished().stream().mapToDouble(m -> 100 * m.top1()).toArray()).orElse(new double[0]);
    }

    /** The teacher row's accuracy minus the student-only mean, in points; NaN if either is missing. */
    public static double teacherMargin(ExperimentResults r) {
        Metrics t = r.teacher();
        double[] alone = top1("student-only", r);
        return t == null || alone.length == 0 ? Double.NaN : 100 * t.top1() - ReportTable.mean(alone);
    }
}
