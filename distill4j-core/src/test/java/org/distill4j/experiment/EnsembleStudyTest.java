package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.report.ReportTable;
import org.distill4j.run.Json;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study whose teacher is an ensemble of two trained runs (tiny synthetic networks): the teacher's row is the
 * ensemble's (its combined accuracy, its members' summed parameters and file size), a student distils from it
 * through a bank, a method softening at another temperature fails with what to change while the rest finishes,
 * and a rerun trains nothing.
 */
class EnsembleStudyTest {
    @TempDir
    static Path dir;
    static Path study;
    static final String STUDENT = "{model: resnet18, width: 2, dataset: synthetic, epochs: 1, batchSize: 16, lr: 0.05,"
            + " trainSubset: 64, testSubset: 32, augment: false}";

    @BeforeAll
    static void trainMembers() throws IOException {
        for (int seed = 1; seed <= 2; seed++) {
            TrainConfig c = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4,
                    "dataset", "synthetic", "epochs", 1, "batchSize", 16, "lr", 0.05, "trainSubset", 64,
                    "testSubset", 32, "augment", false, "seed", (long) seed));
            TrainingRun.execute(c, dir.resolve("member-" + seed), false, org.distill4j.train.TrainListener.NONE);
        }
        Files.writeString(dir.resolve("pair.ensemble.yaml"), "ensemble: [member-1, member-2]\ntemperature: 2\n");
        study = dir.resolve("study.yaml");
        Files.writeString(study, """
                name: ensemble
                teacher: {run: member-2}
                student: %s
                seeds: [1]
                variants:
                  - {name: student-only, method: student-only}
                  - {name: kd-ensemble, method: {name: kd, temperature: 2}, teacher: {ensemble: pair.ensemble.yaml}}
                  - {name: kd-member, method: {name: kd, temperature: 2}}
                  - {name: kd-t4, method: kd, teacher: {ensemble: pair.ensemble.yaml}}
                teacherBank: {views: 1}
                report: {samples: 0}
                """.formatted(STUDENT));
    }

    @Test
    void theEnsembleTeachesAndIsMeasuredAsOneTeacher() throws IOException {
        Path out = dir.resolve("runs");
        ExperimentRunnerTest.Recorder first = new ExperimentRunnerTest.Recorder(null);
        ExperimentResults results = ExperimentRunner.run(ExperimentConfig.load(study), out, first);

        Metrics ensemble = Json.readJson(out.resolve("students/kd-ensemble/teacher-metrics.json"), Metrics.class);
        Metrics m1 = Json.readJson(dir.resolve("member-1/metrics.json"), Metrics.class);
        Metrics m2 = Json.readJson(dir.resolve("member-2/metrics.json"), Metrics.class);
        assertEquals("ensemble-2", ensemble.model());
        assertEquals(m1.params() + m2.params(), ensemble.params(), "the members' parameters together");
        assertEquals(m1.sizeBytes() + m2.sizeBytes(), ensemble.sizeBytes(), "the members' files together");

        // its accuracy is the argmax of the members' mean probabilities at T = 2, computed here from each alone
        TrainConfig s = ExperimentConfig.load(study).student();
        ImageDataset test = TrainingRun.loadData(s).test();
        try (NDManager m = NDManager.newBaseManager();
                Teacher a = Teacher.load(dir.resolve("member-1"), m);
                Teacher b = Teacher.load(dir.resolve("member-2"), m)) {
            double top1 = Accuracy.top1(x -> a.logits(x).div(2).softmax(1).add(b.logits(x).div(2).softmax(1)), test,
                    a.info().mean(), a.info().std(), 16, m);
            assertEquals(top1, ensemble.top1(), 1e-9);
        }

        // the table: the study's teacher (member 2), then the ensemble's row, once for the two variants it teaches
        List<ReportTable.Row> rows = ReportTable.rows(results);
        List<ReportTable.Row> teachers = rows.stream().filter(ReportTable.Row::teacher).toList();
        assertEquals(2, teachers.size(), teachers.toString());
        assertEquals(100 * m2.top1(), teachers.get(0).top1Mean(), 1e-9);
        assertEquals("Teacher (ensemble-2) of kd-ensemble, kd-t4", teachers.get(1).label());
        assertEquals(100 * ensemble.top1(), teachers.get(1).top1Mean(), 1e-9);

        for (String v : List.of("kd-ensemble", "kd-member")) {
            assertTrue(Files.isRegularFile(out.resolve("students/" + v + "/seed-1/metrics.json")), v + " finished");
        }
        assertNotEquals(Files.readString(out.resolve("students/kd-ensemble/seed-1/teacher.sha256")),
                Files.readString(out.resolve("students/kd-member/seed-1/teacher.sha256")));
        try (var banks = Files.list(out.resolve("teacher-bank"))) {
            assertEquals(2, banks.filter(p -> p.toString().endsWith(".bin")).count(), "one bank per teacher");
        }
        ExperimentStatus status = ExperimentStatus.read(out.resolve("status.json"));
        ExperimentStatus.Entry t4 = status.runs().stream().filter(e -> e.variant().equals("kd-t4")).findFirst()
                .orElseThrow();
        assertEquals(ExperimentStatus.FAILED, t4.outcome());
        assertTrue(t4.error().contains("T=2") && t4.error().contains("temperature: 4"), t4.error());

        ExperimentRunnerTest.Recorder again = new ExperimentRunnerTest.Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(study), out, again);
        assertEquals(0, again.epochs.get(), "a rerun reuses every run (kd-t4 fails again before training)");
        assertTrue(again.messages.stream().noneMatch(x -> x.startsWith("measuring")), again.messages.toString());
    }

    @Test
    void aVariantsOwnTeacherIsGivenNotTrainedAndOnlyForADistilledVariant() throws IOException {
        String head = "name: bad\nteacher: {run: member-2}\nstudent: " + STUDENT + "\nvariants:\n";
        Path trains = dir.resolve("trains.yaml");
        Files.writeString(trains, head + "  - {name: kd, method: kd, teacher: {train: {model: resnet18}}}\n");
        String m1 = assertThrows(ConfigException.class, () -> ExperimentConfig.load(trains)).getMessage();
        assertTrue(m1.contains("variant kd") && m1.contains("trained beforehand"), m1);
        Path alone = dir.resolve("alone.yaml");
        Files.writeString(alone, head + "  - {name: solo, method: student-only, teacher: {run: member-1}}\n");
        String m2 = assertThrows(ConfigException.class, () -> ExperimentConfig.load(alone)).getMessage();
        assertTrue(m2.contains("labels alone"), m2);
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, head + "  - {name: kd, method: kd, teacher: {ensemble: team.yaml}}\n");
        String m3 = assertThrows(ConfigException.class, () -> ExperimentConfig.load(unknown)).getMessage();
        assertTrue(m3.contains(".ensemble.yaml"), m3);
    }
}
