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
import org.distill4j.report.ReportBuilder;
import org.distill4j.report.ReportTable;

/**
 * The demo: the study in {@code experiments/fashion-mnist-quick.yaml}, on Fashion-MNIST (real data, installed
 * offline by Debian's dataset-fashion-mnist). It loads the shipped ResNet50+CBAM teacher (checking its SHA-256),
 * trains six ResNet18 students over three seeds (labels only, KD, KD + attention, KD + causal attention,
 * KD + alignment, the seed's full loss), and writes the report. The file states the sizes that keep it within
 * 15 minutes on a 2-core CPU.
 */
public final class Demo {
    /** The demo's experiment, relative to the distill4j checkout. */
    public static final String EXPERIMENT = "experiments/fashion-mnist-quick.yaml";

    /**
     * @param results the study's runs
     * @param rows    the comparison table
     * @param table   the table as printed
     * @param kdGain  KD's gain over labels alone, with its error bar
     * @param report  report.html
     */
    public record Result(ExperimentResults results, List<ReportTable.Row> rows, String table, String kdGain,
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
        return new Result(results, rows, ReportTable.markdown(rows), kdGain(results), report);
    }

    /**
     * KD's gain over the student trained on labels alone: the difference of the two means over seeds, with the
     * standard error of that difference, sqrt(s1^2/n1 + s2^2/n2) (sample standard deviations).
     */
    public static String kdGain(ExperimentResults r) {
        double[] kd = top1("kd", r);
        double[] alone = top1("student-only", r);
        if (kd.length == 0 || alone.length == 0) {
            return "KD gain: not measured (a kd or student-only run is missing)";
        }
        double gain = ReportTable.mean(kd) - ReportTable.mean(alone);
        double se = ReportTable.standardErrorOfDifference(kd, alone);
        return String.format(Locale.ROOT, "KD gain over labels alone: %+.2f ± %.2f points top-1 (%d and %d seeds; "
                + "± is the standard error of the difference of the means)", gain, se, kd.length, alone.length);
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
