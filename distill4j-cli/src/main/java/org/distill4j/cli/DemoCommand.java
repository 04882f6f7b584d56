package org.distill4j.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill4j demo}: the study of experiments/fashion-mnist-quick.yaml, minutes on a laptop CPU. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run experiments/fashion-mnist-quick.yaml: load the shipped ResNet50+CBAM teacher (SHA-256 "
                + "checked), train six ResNet18 students on a Fashion-MNIST subset over five seeds (labels only, KD, "
                + "KD + attention, KD + causal attention, KD + alignment, the seed's full loss), print the "
                + "comparison and KD's gain with its error bar, and write report.html.",
            "4 to 10 minutes on 2 CPU cores, build included. Rerunning with the same --out reuses finished runs."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", description = "Where the study goes (default runs/demo-<date>-<time>).")
    Path out;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data; "
            + "/usr/share/datasets/fashion-mnist is also searched).")
    Path dataDir;
    @Option(names = "--experiment", description = "Another experiment file to run as the demo "
            + "(default experiments/fashion-mnist-quick.yaml of this checkout).")
    Path experiment;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        long t0 = System.nanoTime();
        Demo.Result result = Demo.run(experiment != null ? experiment : Demo.experimentFile(), dir, dataDir,
                new ConsoleProgress());
        double minutes = (System.nanoTime() - t0) / 60e9;
        var teacher = result.results().teacher();
        System.out.println();
        System.out.printf(Locale.ROOT, "distill4j demo: %s. Top-1 %% on %d Fashion-MNIST test images, mean ± std "
                + "over seeds.%n%n", result.results().config().name(), teacher != null ? teacher.testImages() : 0);
        System.out.print(result.table());
        System.out.println();
        System.out.print(result.differences());
        System.out.println();
        System.out.printf(Locale.ROOT, "Teacher over the student trained on labels alone: %+.2f points top-1%n",
                Demo.teacherMargin(result.results()));
        System.out.println(result.kdGain());
        System.out.printf(Locale.ROOT, "Finished in %.1f minutes. Report: %s%nRuns (config, history, checkpoints, "
                + "metrics) in %s%n", minutes, result.report().toAbsolutePath(), dir.toAbsolutePath());
        return 0;
    }
}
