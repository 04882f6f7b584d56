package org.distill4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.report.ReportBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code distill4j report DIR...}: rebuilds a study's report.md and report.html from its runs. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild report.md and report.html of one or more studies written by `distill4j run` "
                + "(nothing is trained).")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "1..*", description = "A study directory (the --out of `distill4j run`).")
    List<Path> dirs;

    @Override
    public Integer call() throws Exception {
        for (Path dir : dirs) {
            if (!Files.isRegularFile(new ExperimentLayout(dir).experimentFile())) {
                throw new IllegalArgumentException(dir + " is not a study directory (no experiment.yaml); pass the "
                        + "--out directory of `distill4j run` (for a file with several studies, one of its "
                        + "subdirectories)");
            }
            System.out.println("Report: " + ReportBuilder.write(dir).toAbsolutePath());
        }
        return 0;
    }
}
