package org.distill4j.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill4j demo}: the pipeline end to end on Fashion-MNIST, minutes on a laptop CPU. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small ResNet50+CBAM teacher and a small ResNet18 student on Fashion-MNIST, distil the "
                + "student from the teacher (KD alone; the seed's full loss), and "
                + "print all four side by side (about 9 minutes on 2 CPU cores).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", description = "Where the runs go (default runs/demo-<date>-<time>).")
    Path out;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data; "
            + "/usr/share/datasets/fashion-mnist is also searched).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        long t0 = System.nanoTime();
        Demo.Result result = Demo.run(dir, dataDir, System.console() != null);
        double minutes = (System.nanoTime() - t0) / 60e9;
        System.out.println();
        System.out.println("distill4j demo: Fashion-MNIST, teacher, student alone, and students distilled from the teacher (top-1 on 2,000 class-balanced test images)");
        System.out.println();
        System.out.print(result.table());
        System.out.println();
        System.out.printf(Locale.ROOT, "Finished in %.1f minutes. Runs (config, history, checkpoints, metrics) in %s%n",
                minutes, dir.toAbsolutePath());
        return 0;
    }
}
