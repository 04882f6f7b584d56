package org.distill4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j data download|verify NAME}. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch a dataset (checksummed) or check one on disk.",
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

    @Command(name = "download", mixinStandardHelpOptions = true, description = "Download NAME (cifar10, fashion-mnist) into the data directory.")
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

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check that NAME is complete and well-formed.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--data-dir") Path dataDir;

        @Override
        public Integer call() {
            System.out.println(Datasets.verify(name, dir(dataDir)));
            return 0;
        }
    }
}
