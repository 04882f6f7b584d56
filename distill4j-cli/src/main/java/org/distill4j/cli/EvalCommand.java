package org.distill4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.distill4j.eval.Metrics;
import org.distill4j.run.RunDirectory;
import org.distill4j.train.RunEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j eval RUN}: accuracy, parameters, size and latency of a trained model. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a trained run again: top-1 on its test set, parameters, size, batch-1 latency, "
                + "throughput. Updates the run's metrics.json.")
public final class EvalCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", description = "A run directory written by `distill4j train`.")
    Path run;
    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto.")
    String device;

    @Override
    public Integer call() throws Exception {
        Metrics m = RunEvaluation.execute(RunDirectory.open(run), device);
        System.out.println(TrainCommand.summary(m, run));
        return 0;
    }
}
