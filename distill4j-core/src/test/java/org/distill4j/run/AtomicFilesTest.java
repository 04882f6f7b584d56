package org.distill4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void aFailedWriteLeavesTheFinishedFileAndNoTemporaryBehind(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("metrics.json");
        AtomicFiles.writeString(target, "finished\n");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half a fi".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("finished\n", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary file left behind");
        }
        AtomicFiles.writeString(target, "replaced\n");
        assertEquals("replaced\n", Files.readString(target));
    }

    @Test
    void createsMissingDirectories(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("a/b/c.txt");
        AtomicFiles.writeString(target, "x");
        assertEquals("x", Files.readString(target));
    }
}
