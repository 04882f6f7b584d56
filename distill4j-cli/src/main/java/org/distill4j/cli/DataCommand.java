package org.distill4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.data.DataOptions;
import org.distill4j.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j data download|verify NAME}. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch a dataset (checksummed) or check one on disk: cifar10, cifar100, fashion-mnist, folder"
                + " (your own images), synthetic.",
        subcommands = {DataCommand.Download.class, DataCommand.Verify.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: download or verify");
    }

    static Path dir(Path dataDir) {
        return dataDir != null ? dataDir : Datasets.defaultDataDir();
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download NAME (cifar10, cifar100, fashion-mnist) into the data directory.")
    static final class Download implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--data-dir") Path dataDir;

        @Override
        public Integer call() {
            Datasets.download(name, dir(dataDir), (done, total) -> System.err.printf(Locale.ROOT,
                    "\r%s: %.1f / %.1f MB", name, done / 1e6, total / 1e6));
            System.err.println();
            System.out.println(Datasets.verify(name, dir(dataDir)));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check that NAME (cifar10, cifar100, fashion-mnist, folder, synthetic) is complete and"
                    + " well-formed.",
                    "For folder, --data-dir is the image folder: PATH/train/CLASS/*.png|jpg, optionally PATH/val/CLASS/."})
    static final class Verify implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--data-dir", description = "The data directory; for folder, the image folder itself.")
        Path dataDir;
        @Option(names = "--labels", defaultValue = "fine", description = "cifar100 labels: fine (100) or coarse (20).")
        String labels;
        @Option(names = "--image-size", defaultValue = "32", description = "folder: resize images to N x N (8..1024).")
        int imageSize;
        @Option(names = "--val-fraction", defaultValue = "0.1",
                description = "folder without val/: share of each class held out (0, 0.9].")
        double valFraction;
        @Option(names = "--skip-unreadable", description = "folder: leave out images that cannot be decoded.")
        boolean skipUnreadable;

        @Override
        public Integer call() {
            if (name.equals("folder") && dataDir == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "folder needs --data-dir PATH, the folder holding train/CLASS/ images");
            }
            DataOptions options = new DataOptions(imageSize, labels, skipUnreadable, valFraction);
            System.out.println(Datasets.verify(name, dir(dataDir), options));
            return 0;
        }
    }
}
