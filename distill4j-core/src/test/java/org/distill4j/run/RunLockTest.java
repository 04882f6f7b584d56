package org.distill4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per directory, across processes: a live holder stops the second, a dead one's lock is taken over. */
class RunLockTest {

    /** A child process that locks the directory given, says "locked", and holds it until killed or stdin closes. */
    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), "lock test holder")) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold
            }
        }
    }

    private static Process holder(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockTest.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", out.readLine(), "the holder process took the lock");
        return p;
    }

    @Test
    void aLiveHolderStopsASecondWriterAndIsNamed(@TempDir Path dir) throws Exception {
        Process p = holder(dir);
        try {
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(dir, "test"));
            assertTrue(e.getMessage().contains("process " + p.pid()), e.getMessage());
            assertTrue(e.getMessage().contains("lock test holder") && e.getMessage().contains(dir.toString()),
                    e.getMessage());
        } finally {
            p.getOutputStream().close(); // the holder releases and exits
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        // released cleanly: the next writer gets it, and there was no stale owner
        try (RunLock lock = RunLock.acquire(dir, "test")) {
            assertNull(lock.staleOwner());
        }
    }

    @Test
    void aKilledHoldersLockIsStaleAndTakenOver(@TempDir Path dir) throws Exception {
        Process p = holder(dir);
        p.destroyForcibly(); // SIGKILL: the holder cannot clean up
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.readString(dir.resolve(RunLock.FILE)).contains("process " + p.pid()), "the file still names it");
        List<String> said = new ArrayList<>();
        try (RunLock lock = RunLock.acquire(dir, "test").reportStale(said::add)) {
            assertTrue(lock.staleOwner().contains("process " + p.pid()), lock.staleOwner());
            assertEquals(1, said.size());
            assertTrue(said.get(0).contains("no longer running"), said.get(0));
            assertTrue(Files.readString(dir.resolve(RunLock.FILE)).contains("process " + ProcessHandle.current().pid()));
        }
        assertEquals("", Files.readString(dir.resolve(RunLock.FILE)), "emptied on release");
    }

    @Test
    void aWaitingWriterProceedsWhenTheHolderFinishes(@TempDir Path dir) throws Exception {
        Process p = holder(dir);
        List<String> said = new ArrayList<>();
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(500);
                p.getOutputStream().close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        try (RunLock lock = RunLock.acquireWaiting(dir, "test", said::add)) {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, said.size());
            assertTrue(said.get(0).startsWith("waiting for process " + p.pid()), said.get(0));
            assertNull(lock.staleOwner(), "the holder released it");
        }
        release.join();
    }

    @Test
    void theLockIsReentrantWithinAProcess(@TempDir Path dir) throws Exception {
        try (RunLock outer = RunLock.acquire(dir, "outer"); RunLock inner = RunLock.acquire(dir, "inner")) {
            assertTrue(outer == inner);
        }
        try (RunLock again = RunLock.acquire(dir, "again")) {
            assertNull(again.staleOwner(), "released after the outer hold ended");
        }
    }
}
