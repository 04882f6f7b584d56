package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Metrics;
import org.distill4j.report.Differences;
import org.distill4j.report.ReportBuilder;
import org.distill4j.report.ReportTable;
import org.distill4j.run.Json;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-distillation and online distillation in a study (tiny synthetic networks): born-again generations, each
 * taught by the previous generation's student of the same seed (retrained when that one changes), with a chart by
 * generation; and mutual learning of two peers in one loop, both in the table, resumed after a kill.
 */
class BornAgainAndMutualStudyTest {
    @TempDir
    static Path dir;
    static final String STUDENT = "{model: resnet18, width: 2, dataset: synthetic, epochs: 2, batchSize: 16, lr: 0.05,"
            + " trainSubset: 64, testSubset: 32, augment: false}";

    @BeforeAll
    static void trainTeacher() throws IOException {
        TrainConfig c = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4,
                "dataset", "synthetic", "epochs", 1, "batchSize", 16, "lr", 0.05, "trainSubset", 64,
                "testSubset", 32, "augment", false, "seed", 1L));
        TrainingRun.execute(c, dir.resolve("teacher"), false, org.distill4j.train.TrainListener.NONE);
    }

    private static Path study(String name, String studentOnly) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                teacher: {run: teacher}
                student: %s
                seeds: [1, 2]
                variants:
                  - {name: student-only, method: student-only%s}
                  - {name: gen-1, method: kd, teacher: {variant: student-only}}
                  - {name: gen-2, method: kd, teacher: {variant: gen-1}}
                  - {name: dml, method: student-only, student: {peers: 2}}
                teacherBank: {views: 1}
                report: {samples: 0}
                """.formatted(name, STUDENT, studentOnly));
        return file;
    }

    @Test
    void generationsChainPerSeedAndPeersTrainTogether() throws IOException {
        Path out = dir.resolve("runs");
        ExperimentConfig config = ExperimentConfig.load(study("chain", ""));
        assertEquals(List.of(0, 1, 2, 0), config.variants().stream().map(config::generation).toList());
        ExperimentRunnerTest.Recorder killed = new ExperimentRunnerTest.Recorder("dml seed 2");
        assertThrows(ExperimentRunnerTest.Killed.class, () -> ExperimentRunner.run(config, out, killed));
        ExperimentRunnerTest.Recorder first = new ExperimentRunnerTest.Recorder(null);
        ExperimentResults results = ExperimentRunner.run(config, out, first);
        assertTrue(first.messages.stream().anyMatch(m -> m.startsWith("resuming dml seed 2")), first.messages.toString());

        for (long seed : List.of(1L, 2L)) {
            Path s = out.resolve("students");
            String gen0 = Teacher.fingerprint(s.resolve("student-only/seed-" + seed + "/model"));
            String gen1 = Teacher.fingerprint(s.resolve("gen-1/seed-" + seed + "/model"));
            assertEquals(gen0, Files.readString(s.resolve("gen-1/seed-" + seed + "/teacher.sha256")).strip(),
                    "generation 1 of seed " + seed + " learned from generation 0 of the same seed");
            assertEquals(gen1, Files.readString(s.resolve("gen-2/seed-" + seed + "/teacher.sha256")).strip());
            Metrics g1 = Json.readJson(s.resolve("gen-1/seed-" + seed + "/metrics.json"), Metrics.class);
            assertEquals("online", g1.teacherSource(), "a teacher that changes per seed is run, not banked");
            Path peer2 = s.resolve("dml/seed-" + seed + "/peers/peer-2/metrics.json");
            assertEquals("dml (2 peers)", Json.readJson(peer2, Metrics.class).method());
        }
        assertNotEquals(Files.readString(out.resolve("students/gen-1/seed-1/teacher.sha256")),
                Files.readString(out.resolve("students/gen-1/seed-2/teacher.sha256")));
        assertNull(results.variants().get(1).teacher(), "no teacher row: generation 0 is a row already");

        List<ReportTable.Row> rows = ReportTable.rows(results);
        List<String> labels = rows.stream().map(ReportTable.Row::label).toList();
        assertEquals(List.of("Student only", "Born-again generation 1 (Student + KD)",
                "Born-again generation 2 (Student + KD)", "Student + DML (2 peers), peer 1",
                "Student + DML (2 peers), peer 2"), labels.subList(0, 5));
        assertEquals(6, rows.size(), "and the study's teacher: " + labels);
        assertTrue(rows.get(5).teacher());
        double peer2 = 100 * (Json.readJson(out.resolve("students/dml/seed-1/peers/peer-2/metrics.json"), Metrics.class)
                .top1() + Json.readJson(out.resolve("students/dml/seed-2/peers/peer-2/metrics.json"), Metrics.class)
                .top1()) / 2;
        assertEquals(peer2, rows.get(4).top1Mean(), 1e-9);
        assertEquals(2, rows.get(4).seeds());

        // statistics: each generation against labels alone and against the generation that taught it; a
        // generation is not the table's KD row
        List<Differences.Comparison> diffs = Differences.of(results);
        assertTrue(Differences.find(diffs, "gen-2", "gen-1") != null, "generation 2 against its teacher");
        assertEquals(List.of("student-only", "gen-1"), diffs.stream().map(Differences.Comparison::against).distinct()
                .toList(), "references: labels alone, and generation 1 for generation 2 only");
        assertEquals(1, diffs.stream().filter(x -> x.against().equals("gen-1")).count());

        ReportBuilder.write(out);
        assertTrue(Files.isRegularFile(out.resolve("report-files/accuracy-by-generation.png")));
        assertTrue(Files.readString(out.resolve("report.md")).contains("accuracy-by-generation.png"));

        // A rerun reuses everything; a changed generation 0 retrains every generation after it, and only those.
        ExperimentRunnerTest.Recorder again = new ExperimentRunnerTest.Recorder(null);
        ExperimentRunner.run(config, out, again);
        assertEquals(0, again.epochs.get(), again.messages.toString());
        ExperimentRunnerTest.Recorder changed = new ExperimentRunnerTest.Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(study("chain", ", student: {lr: 0.04}")), out, changed);
        assertEquals(3 * 2 * 2, changed.epochs.get(), "student-only, gen-1 and gen-2 again, 2 seeds x 2 epochs; "
                + "dml reused: " + changed.messages);
        assertEquals(Teacher.fingerprint(out.resolve("students/student-only/seed-1/model")),
                Files.readString(out.resolve("students/gen-1/seed-1/teacher.sha256")).strip());
    }

    @Test
    void aGenerationWhoseTeacherFailedFailsSayingWhy() throws IOException {
        Path out = dir.resolve("failing");
        // a learning rate this large makes the loss non-finite: generation 0 fails, so generation 1 has no teacher
        ExperimentConfig config = ExperimentConfig.load(study("failing", ", student: {lr: 1.0e+30}"));
        ExperimentRunner.run(config, out, new ExperimentRunnerTest.Recorder(null));
        ExperimentStatus status = ExperimentStatus.read(out.resolve("status.json"));
        ExperimentStatus.Entry gen1 = status.runs().stream().filter(e -> e.variant().equals("gen-1") && e.seed() == 1)
                .findFirst().orElseThrow();
        assertEquals(ExperimentStatus.FAILED, gen1.outcome());
        assertTrue(gen1.error().contains("student-only's student of seed 1") && gen1.error().contains("rerun"),
                gen1.error());
        assertTrue(Files.isRegularFile(out.resolve("students/dml/seed-1/metrics.json")), "the others go on");
    }

    @Test
    void aVariantTeacherMustBeAnEarlierVariantOfTheStudy() throws IOException {
        String head = "name: bad\nteacher: {run: teacher}\nstudent: " + STUDENT + "\nvariants:\n";
        for (String[] bad : new String[][] {
            {"  - {name: gen-1, method: kd, teacher: {variant: gen-0}}\n  - {name: gen-0, method: student-only}\n",
                "listed before it"},
            {"  - {name: gen-1, method: kd, teacher: {variant: gen-1}}\n", "listed before it"},
            {"  - {name: gen-1, method: kd, teacher: {variant: nowhere}}\n", "listed before it"},
            {"  - {name: a, method: student-only}\n  - {name: b, method: kd, teacher: {variant: a, sha256: "
                + "0000000000000000000000000000000000000000000000000000000000000000}}\n", "'variant'"}}) {
            Path file = dir.resolve("bad.yaml");
            Files.writeString(file, head + bad[0]);
            String m = assertThrows(ConfigException.class, () -> ExperimentConfig.load(file)).getMessage();
            assertTrue(m.contains(bad[1]), m);
        }
        Path studyTeacher = dir.resolve("bad-teacher.yaml");
        Files.writeString(studyTeacher, "name: bad\nteacher: {variant: a}\nstudent: " + STUDENT
                + "\nvariants:\n  - {name: a, method: student-only}\n");
        String m = assertThrows(ConfigException.class, () -> ExperimentConfig.load(studyTeacher)).getMessage();
        assertTrue(m.contains("only a variant's own teacher"), m);
    }
}
