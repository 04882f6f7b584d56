package org.distill4j.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One writer per directory (a run, a study, a teacher bank): an operating-system lock on {@code .distill4j.lock}
 * inside it, held while the directory is written. The file names its holder (process id, host, command, start), so
 * a second process is told who is writing. The operating system drops the lock when its process dies however it
 * dies, so a lock left by a killed process is stale by construction: the next writer takes it over and says so.
 * The file is emptied, not deleted, on release (deleting it would let two processes lock two different files).
 * Within one JVM the lock is re-entrant: a distilled run locks its directory before building its bank and again
 * while training.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".distill4j.lock";

    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String staleOwner;
    private int holds = 1;

    /** The directory is being written by another live process. */
    public static final class HeldException extends IllegalStateException {
        public HeldException(String message) {
            super(message);
        }
    }

    private RunLock(Path file, FileChannel channel, FileLock lock, String staleOwner) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.staleOwner = staleOwner;
    }

    /**
     * Locks {@code dir} (creating it) for writing, or fails at once naming the process that holds it.
     *
     * @param what what this process does there, for the other's message ("train", "study run")
     * @throws HeldException when another live process holds the lock
     */
    public static RunLock acquire(Path dir, String what) throws IOException {
        return acquire(dir, what, null);
    }

    /**
     * Locks {@code dir}, waiting for another holder to finish instead of failing; {@code waiting} hears who is
     * waited for. For shared things that one writer builds and the others then read (a teacher bank).
     */
    public static RunLock acquireWaiting(Path dir, String what, Consumer<String> waiting) throws IOException {
        return acquire(dir, what, waiting);
    }

    private static RunLock acquire(Path dir, String what, Consumer<String> waiting) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE).toAbsolutePath().normalize();
        synchronized (HELD) {
            RunLock held = HELD.get(file);
            if (held != null) {
                held.holds++;
                return held;
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    String owner = read(channel);
                    String who = owner.isEmpty() ? "another process" : owner;
                    if (waiting == null) {
                        throw new HeldException(dir + " is being written by " + who + "; two writers would corrupt "
                                + "it. Wait for that process to finish (or stop it), then run this command again");
                    }
                    waiting.accept("waiting for " + who + ", which is writing " + dir);
                    lock = channel.lock();
                }
                String previous = read(channel);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(describe(what).getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(false);
                RunLock acquired = new RunLock(file, channel, lock, previous.isEmpty() ? null : previous);
                HELD.put(file, acquired);
                return acquired;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /**
     * Who held the lock before without releasing it (a process that was killed), or null. Its work in the
     * directory may be unfinished; the run's own resume rules deal with that.
     */
    public String staleOwner() {
        return staleOwner;
    }

    /** Tells {@code out} about a stale lock taken over, if there was one. */
    public RunLock reportStale(Consumer<String> out) {
        if (staleOwner != null) {
            out.accept("took over the lock of " + staleOwner + ", which is no longer running");
        }
        return this;
    }

    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (--holds > 0) {
                return;
            }
            HELD.remove(file);
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static String describe(String what) {
        ProcessHandle self = ProcessHandle.current();
        return "process " + self.pid() + " on " + host() + " (distill4j " + what + ", since " + Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
    }

    /** The host name without a DNS lookup (which can hang on a machine without a network). */
    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            String env = System.getenv(System.getenv("COMPUTERNAME") != null ? "COMPUTERNAME" : "HOSTNAME");
            return env != null ? env : "this host";
        }
    }

    private static String read(FileChannel channel) throws IOException {
        long size = Math.min(channel.size(), 4096);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        channel.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }
}
