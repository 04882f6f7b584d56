package org.distill4j.cli;

import org.distill4j.experiment.ExperimentRunner;
import org.distill4j.train.ProgressBar;
import org.distill4j.train.TrainListener;

/** Progress of a study on stderr: a bar per run (redrawn in a terminal, one line per 10% otherwise) and messages. */
final class ConsoleProgress implements ExperimentRunner.Listener {
    private final boolean interactive = System.console() != null;

    @Override
    public TrainListener run(String label) {
        return new ProgressBar(System.err, interactive, "[" + label + "]");
    }

    @Override
    public void message(String text) {
        System.err.println("distill4j: " + text);
    }
}
