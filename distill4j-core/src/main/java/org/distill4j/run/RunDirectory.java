package org.distill4j.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layout of one run on disk (see DESIGN.md, "A run on disk"). Every writer and reader of a run asks
 * this class for paths, so the layout is stated once.
 */
public record RunDirectory(Path root) {

    public static RunDirectory create(Path root) throws IOException {
        Files.createDirectories(root.resolve("checkpoints"));
        Files.createDirectories(root.resolve("model"));
        return new RunDirectory(root);
    }

    /** Opens an existing run, failing with a message if it is not one. */
    public static RunDirectory open(Path root) {
        RunDirectory run = new RunDirectory(root);
        if (!Files.isRegularFile(run.config())) {
            throw new IllegalArgumentException(root + " is not a distill4j run directory (no config.yaml); "
                    + "pass the --out directory of a `distill4j train` run");
        }
        return run;
    }

    /**
     * Deletes what a run stopped before its first checkpoint left behind (history, provenance, checkpoints, a
     * half-saved model), so that it starts afresh. Keeps config.yaml, metrics.json is never there (the run did
     * not finish), and keeps anything else (a teacher bank built inside the run directory is checked on its own).
     */
    public void clearUnfinished() throws IOException {
        for (Path p : new Path[] {history(), provenance(), lastCheckpoint(), bestCheckpoint(), nextCheckpoint()}) {
            Files.deleteIfExists(p);
        }
        if (Files.isDirectory(modelDir())) {
            try (var files = Files.list(modelDir())) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.createDirectories(root.resolve("checkpoints"));
        Files.createDirectories(modelDir());
    }

    /** Whether the run finished (its metrics.json is written last). */
    public boolean finished() {
        return Files.isRegularFile(metrics());
    }

    public Path config() {
        return root.resolve("config.yaml");
    }

    public Path provenance() {
        return root.resolve("provenance.json");
    }

    public Path history() {
        return root.resolve("history.csv");
    }

    public Path metrics() {
        return root.resolve("metrics.json");
    }

    public Path lastCheckpoint() {
        return root.resolve("checkpoints").resolve("last.ckpt");
    }

    public Path bestCheckpoint() {
        return root.resolve("checkpoints").resolve("best.ckpt");
    }

    public Path modelDir() {
        return root.resolve("model");
    }

    /**
     * Where peer {@code k} (1-based) of a mutual-learning run lives: peer 1 is this run itself, peer k &gt;= 2 a run
     * of its own under peers/peer-K, with the same layout.
     */
    public RunDirectory peer(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("peers are numbered from 1, got " + k);
        }
        return k == 1 ? this : new RunDirectory(root.resolve("peers").resolve("peer-" + k));
    }

    /**
     * A checkpoint written but not yet committed: networks trained together write all theirs here, then rename each
     * to {@link #lastCheckpoint()}, so a resume finds every network at one step (see Checkpoint.recoverGroup).
     */
    public Path nextCheckpoint() {
        return root.resolve("checkpoints").resolve("next.ckpt");
    }
}
