package org.distill4j.cli;

import org.distill4j.train.CheckpointPolicy;
import picocli.CommandLine.Option;

/** {@code --checkpoint-every}, shared by the commands that train. */
final class CheckpointOption {
    @Option(names = "--checkpoint-every", paramLabel = "INTERVAL", description = "Also write a checkpoint inside "
            + "epochs every INTERVAL: 10m (the default), 90s, 1h, 200b (batches), or epoch (at epoch ends only). "
            + "Running the same command again resumes from it, with the same result as an uninterrupted run.")
    String every;

    CheckpointPolicy policy() {
        return every == null ? CheckpointPolicy.DEFAULT : CheckpointPolicy.parse(every);
    }
}
