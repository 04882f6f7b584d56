package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `run` and `report` through the command line on a tiny synthetic study, and the errors a user can make. */
class RunCommandTest {

    static final String STUDY = """
            name: cli-tiny
            teacher:
              train: {model: resnet18, width: 4, dataset: synthetic, epochs: 1, batchSize: 16, trainSubset: 48,
                      testSubset: 32, augment: false}
            student: {model: resnet18, width: 2, dataset: synthetic, epochs: 1, batchSize: 16, trainSubset: 48,
                      testSubset: 32, augment: false}
            seeds: [1]
            variants:
              - {name: student-only, method: student-only}
              - {name: kd, method: kd}
            report: {samples: 1}
            """;

    @Test
    void runWritesRunsAndReportAndReportRebuildsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("study.yaml");
        Files.writeString(file, STUDY);
        Path out = dir.resolve("out");
        MainTest.Outcome o = MainTest.run("run", file.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Student + KD") && o.out().contains("Teacher"), o.out());
        assertTrue(Files.isRegularFile(out.resolve("students/kd/seed-1/metrics.json")));
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
        assertTrue(Files.isRegularFile(out.resolve("report.md")));

        Files.delete(out.resolve("report.html"));
        o = MainTest.run("report", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
    }

    @Test
    void badExperimentFilesGetAMessage(@TempDir Path dir) throws Exception {
        MainTest.Outcome o = MainTest.run("run", dir.resolve("missing.yaml").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("does not exist"), o.err());

        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, STUDY.replace("seeds:", "sedes:"));
        o = MainTest.run("run", file.toString(), "--out", dir.resolve("out").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("unknown key 'sedes'"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());

        o = MainTest.run("report", dir.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("not a study directory"), o.err());
    }
}
