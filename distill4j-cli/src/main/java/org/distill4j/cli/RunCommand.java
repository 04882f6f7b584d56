package org.distill4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentRunner;
import org.distill4j.experiment.ExperimentSuite;
import org.distill4j.report.ReportBuilder;
import org.distill4j.report.Differences;
import org.distill4j.report.ReportTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j run EXPERIMENT.yaml}: a whole study (teacher, students over seeds, report), resumable. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a study from an experiment file: the teacher stage, every variant over every seed, "
                + "then report.md and report.html. Rerunning reuses finished runs, resumes interrupted ones from "
                + "their last checkpoint, and retries failed ones.",
            "Shipped files: experiments/fashion-mnist-quick.yaml (CPU minutes; what `demo` runs), "
                + "experiments/cifar10-seed.yaml and experiments/cifar10-hmat-table.yaml (GPU)."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "EXPERIMENT.yaml", description = "The experiment file.")
    Path file;
    @Option(names = "--out", description = "The study's directory (default runs/<name>).")
    Path out;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data).")
    Path dataDir;
    @Option(names = "--report", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Write report.md and report.html at the end (default: yes).")
    boolean report;
    @Option(names = "--online", description = "Run the teacher in every distilled step even if the file asks for a "
            + "teacher bank (to compare, or to save the disk).")
    boolean online;
    @picocli.CommandLine.Mixin
    CheckpointOption checkpoint = new CheckpointOption();

    @Override
    public Integer call() throws Exception {
        ExperimentSuite suite = ExperimentSuite.load(file);
        Path dir = out != null ? out : Path.of("runs", suite.name());
        long t0 = System.nanoTime();
        int failed = 0;
        ConsoleProgress progress = new ConsoleProgress();
        for (ExperimentConfig study : suite.studies()) {
            ExperimentConfig c = dataDir != null ? study.withDataDir(dataDir) : study;
            c = online ? c.online() : c;
            Path studyDir = suite.studyDir(dir, c);
            progress.message("study " + c.name() + " -> " + studyDir);
            ExperimentResults results = ExperimentRunner.run(c, studyDir, progress, checkpoint.policy());
            failed += (int) results.variants().stream().flatMap(v -> v.runs().stream())
                    .filter(r -> r.metrics() == null).count();
            System.out.println();
            System.out.println(c.name() + ": top-1 % on " + (results.teacher() != null
                    ? results.teacher().testImages() + " test images" : "the test set"));
            System.out.print(ReportTable.markdown(ReportTable.rows(results)));
            System.out.println();
            System.out.print(Differences.markdown(Differences.of(results)));
            if (report) {
                progress.message("writing the report");
                Path html = ReportBuilder.write(studyDir);
                System.out.println("Report: " + html.toAbsolutePath());
            }
        }
        if (report && !suite.single()) {
            System.out.println("Index of the studies: " + ReportBuilder.writeIndex(dir, suite).toAbsolutePath());
        }
        System.out.printf(Locale.ROOT, "Finished in %.1f minutes; runs in %s%n", (System.nanoTime() - t0) / 60e9,
                dir.toAbsolutePath());
        if (failed > 0) {
            System.err.println("distill4j: " + failed + " run(s) failed or did not finish; their errors are in "
                    + "status.json and the report. Rerun the same command to retry them.");
            return 1;
        }
        return 0;
    }
}
