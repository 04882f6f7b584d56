package org.distill4j.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.RunDirectory;

/**
 * A training checkpoint: progress counters, the model's parameters (with BatchNorm running statistics), the
 * optimizer's momentum buffers and what the objective owns (a method's trainable heads and state), everything a
 * resumed run needs to continue exactly as if it had never stopped, and, for one written inside an epoch, how far
 * that epoch had got. Written atomically. Version 1, from before methods owned parts, loads for methods that own
 * none; version 2 is version 3 without the epoch's progress.
 */
public final class Checkpoint {
    private static final int MAGIC = 0x44344A43; // "D4JC"
    private static final int VERSION = 3;
    /** More epochs than any run has: a header claiming more is damaged or crafted. */
    private static final int MAX_EPOCHS = 1_000_000;

    /**
     * @param epoch        epochs completed
     * @param bestTop1     best test accuracy so far, in [0, 1]
     * @param bestEpoch    the epoch that reached it
     * @param trainSeconds training wall time of the completed epochs, summed over resumed sessions
     * @param partial      how far epoch {@code epoch + 1} had got ({@link EpochProgress#START}: not begun)
     */
    public record State(int epoch, double bestTop1, int bestEpoch, double trainSeconds, EpochProgress partial) {
        public State {
            partial = partial == null ? EpochProgress.START : partial;
        }

        public State(int epoch, double bestTop1, int bestEpoch, double trainSeconds) {
            this(epoch, bestTop1, bestEpoch, trainSeconds, EpochProgress.START);
        }

        /** This state, inside the next epoch. */
        public State within(EpochProgress progress) {
            return new State(epoch, bestTop1, bestEpoch, trainSeconds, progress);
        }
    }

    private Checkpoint() {}

    public static void save(Path file, State state, Block model, SgdMomentum optimizer) throws IOException {
        save(file, state, model, optimizer, ObjectiveParts.NONE);
    }

    public static void save(Path file, State state, Block model, SgdMomentum optimizer, ObjectiveParts parts)
            throws IOException {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(state.epoch());
            out.writeDouble(state.bestTop1());
            out.writeInt(state.bestEpoch());
            out.writeDouble(state.trainSeconds());
            state.partial().write(out);
            model.saveParameters(out);
            optimizer.save(out);
            parts.save(out);
            out.flush();
        });
    }

    /**
     * Saves the checkpoints of networks trained together (mutual learning) as one commit: every network's to its
     * run's next.ckpt, then each renamed to last.ckpt. A process killed in between leaves either every network's
     * previous checkpoint intact or every new one written, which {@link #recoverGroup} completes or discards. One
     * network saves straight to last.ckpt, as {@link #save(Path, State, Block, SgdMomentum, ObjectiveParts)}.
     *
     * @param parts what the objective owns, saved with the first network
     */
    public static void saveGroup(List<RunDirectory> runs, List<State> states, List<? extends Block> models,
            List<SgdMomentum> optimizers, ObjectiveParts parts) throws IOException {
        if (runs.size() == 1) {
            save(runs.get(0).lastCheckpoint(), states.get(0), models.get(0), optimizers.get(0), parts);
            return;
        }
        for (int i = 0; i < runs.size(); i++) {
            save(runs.get(i).nextCheckpoint(), states.get(i), models.get(i), optimizers.get(i),
                    i == 0 ? parts : ObjectiveParts.NONE);
        }
        for (RunDirectory r : runs) {
            Files.move(r.nextCheckpoint(), r.lastCheckpoint(), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Finishes or discards a {@link #saveGroup} that a killed process left half done, so that every network's
     * last.ckpt is at the same step: when each network holds the new step (in next.ckpt, or in last.ckpt already
     * renamed) the renames are completed; otherwise the new checkpoints, not all written, are deleted and every
     * network resumes from its previous one.
     *
     * @return what was done, for the log, or null when nothing was pending
     */
    public static String recoverGroup(List<RunDirectory> runs) throws IOException {
        RunDirectory first = runs.stream().filter(r -> Files.exists(r.nextCheckpoint())).findFirst().orElse(null);
        if (first == null) {
            return null;
        }
        State target = stateOrNull(first.nextCheckpoint()); // unreadable: damage (it was written atomically)
        boolean complete = target != null;
        for (RunDirectory r : runs) {
            Path at = Files.exists(r.nextCheckpoint()) ? r.nextCheckpoint() : r.lastCheckpoint();
            State s = complete ? stateOrNull(at) : null;
            complete = s != null && sameStep(s, target);
        }
        for (RunDirectory r : runs) {
            if (!Files.exists(r.nextCheckpoint())) {
                continue;
            }
            if (complete) {
                Files.move(r.nextCheckpoint(), r.lastCheckpoint(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.delete(r.nextCheckpoint());
            }
        }
        return complete
                ? "completed the checkpoint of every peer after epoch " + target.epoch() + " that the last session had "
                        + "written but not yet committed"
                : "discarded a checkpoint the last session had not finished writing for every peer; every peer resumes "
                        + "from its previous one";
    }

    private static State stateOrNull(Path file) {
        try {
            return Files.isRegularFile(file) ? readState(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean sameStep(State a, State b) {
        return a.epoch() == b.epoch() && a.partial().batchesDone() == b.partial().batchesDone();
    }

    /** The progress counters of a checkpoint, without its tensors. */
    public static State readState(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return readHeader(file, in).state();
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": checkpoint is truncated; use checkpoints/best.ckpt or train again", e);
        }
    }

    /** Restores model and optimizer in place; fails naming the file if it is not a readable checkpoint. */
    public static State load(Path file, Block model, SgdMomentum optimizer, NDManager manager) throws IOException {
        return load(file, model, optimizer, ObjectiveParts.NONE, manager);
    }

    /** Restores model, optimizer and the objective's parts in place. */
    public static State load(Path file, Block model, SgdMomentum optimizer, ObjectiveParts parts, NDManager manager)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": checkpoint not found");
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            Header header = readHeader(file, in);
            State state = header.state();
            int version = header.version();
            model.loadParameters(manager, in);
            optimizer.load(in);
            if (version >= 2) {
                parts.load(in);
            } else if (parts.parameterCount() > 0 || !parts.trainable().isEmpty()) {
                throw new IOException(file + ": checkpoint predates methods with trainable parts; train the run again");
            }
            return state;
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": checkpoint is truncated; use checkpoints/best.ckpt or train again", e);
        } catch (MalformedModelException e) {
            throw new IOException(file + ": checkpoint does not match the model (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) { // DJL's decoder on bytes that passed the header checks but are not an array
            throw new IOException(file + ": checkpoint is damaged (" + e.getMessage() + "); use checkpoints/best.ckpt "
                    + "or train again", e);
        }
    }

    private record Header(int version, State state) {}

    private static Header readHeader(Path file, DataInputStream in) throws IOException {
        int version = in.readInt() == MAGIC ? in.readInt() : -1;
        if (version < 1 || version > VERSION) {
            throw new IOException(file + ": not a distill4j checkpoint (bad header)");
        }
        State state = new State(in.readInt(), in.readDouble(), in.readInt(), in.readDouble());
        if (state.epoch() < 0 || state.epoch() > MAX_EPOCHS || state.bestEpoch() < 0
                || state.bestEpoch() > state.epoch() || !(state.bestTop1() >= 0 && state.bestTop1() <= 1)
                || !(state.trainSeconds() >= 0 && state.trainSeconds() < Double.POSITIVE_INFINITY)) {
            throw new IOException(file + ": not a distill4j checkpoint (epoch " + state.epoch() + ", best epoch "
                    + state.bestEpoch() + ")");
        }
        if (version >= 3) {
            try {
                state = state.within(EpochProgress.read(in));
            } catch (java.io.EOFException e) {
                throw e;
            } catch (IOException e) {
                throw new IOException(file + ": not a distill4j checkpoint (" + e.getMessage() + ")", e);
            }
        }
        return new Header(version, state);
    }
}
