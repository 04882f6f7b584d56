package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.distill4j.config.ConfigException;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Accuracy;
import org.distill4j.eval.Metrics;
import org.distill4j.report.ReportTable;
import org.distill4j.run.Json;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study that trains its teacher ensemble itself (teacher: {train: ..., members: 2}) and distils from it and from
 * each member alone: the members are runs of consecutive seeds, the ensemble's row is their combination, each member
 * variant learns from its own member, and a rerun trains nothing.
 */
class TrainedEnsembleStudyTest {
    @TempDir
    static Path dir;
    static final String TEACHER = "{model: resnet18, width: 4, dataset: synthetic, epochs: 1, batchSize: 16, lr: 0.05,"
            + " trainSubset: 64, testSubset: 32, augment: false, seed: 5}";
    static final String STUDENT = "{model: resnet18, width: 2, dataset: synthetic, epochs: 1, batchSize: 16, lr: 0.05,"
            + " trainSubset: 64, testSubset: 32, augment: false}";

    @Test
    void theStudyTrainsItsMembersAndTeachesThemAsOneAndAlone() throws IOException {
        Path study = dir.resolve("study.yaml");
        Files.writeString(study, """
                name: trained-ensemble
                teacher: {train: %s, members: 2}
                student: %s
                seeds: [1]
                variants:
                  - {name: student-only, method: student-only}
                  - {name: kd-ensemble, method: kd}
                  - {name: kd-member-1, method: kd, teacher: {member: 1}}
                  - {name: kd-member-2, method: kd, teacher: {member: 2}}
                teacherBank: {views: 1}
                report: {samples: 0}
                """.formatted(TEACHER, STUDENT));
        Path out = dir.resolve("runs");
        ExperimentResults results = ExperimentRunner.run(ExperimentConfig.load(study), out,
                new ExperimentRunnerTest.Recorder(null));
        Path m1 = out.resolve("teacher-members/member-1");
        Path m2 = out.resolve("teacher-members/member-2");
        assertEquals(5, Json.readYaml(m1.resolve("config.yaml"), TrainConfig.class).seed());
        assertEquals(6, Json.readYaml(m2.resolve("config.yaml"), TrainConfig.class).seed(), "consecutive seeds");

        Metrics ensemble = Json.readJson(out.resolve("teacher-metrics.json"), Metrics.class);
        Metrics a = Json.readJson(m1.resolve("metrics.json"), Metrics.class);
        Metrics b = Json.readJson(m2.resolve("metrics.json"), Metrics.class);
        assertEquals("ensemble-2", ensemble.model());
        assertEquals(a.params() + b.params(), ensemble.params());
        ImageDataset test = TrainingRun.loadData(ExperimentConfig.load(study).student()).test();
        try (NDManager m = NDManager.newBaseManager();
                Teacher ta = Teacher.load(m1, m);
                Teacher tb = Teacher.load(m2, m)) {
            double top1 = Accuracy.top1(x -> ta.logits(x).div(4).softmax(1).add(tb.logits(x).div(4).softmax(1)), test,
                    ta.info().mean(), ta.info().std(), 16, m);
            assertEquals(top1, ensemble.top1(), 1e-9, "the argmax of the members' mean probabilities at T = 4");
        }
        for (int k = 1; k <= 2; k++) {
            assertEquals(Teacher.fingerprint(out.resolve("teacher-members/member-" + k + "/model")),
                    Files.readString(out.resolve("students/kd-member-" + k + "/seed-1/teacher.sha256")).strip(),
                    "kd-member-" + k + " learned from member " + k);
        }
        assertEquals(Teacher.fingerprint(out.resolve("teacher-members/teacher.ensemble.yaml")),
                Files.readString(out.resolve("students/kd-ensemble/seed-1/teacher.sha256")).strip());
        List<ReportTable.Row> teachers = ReportTable.rows(results).stream().filter(ReportTable.Row::teacher).toList();
        assertEquals(3, teachers.size(), "the ensemble, then each member: " + teachers);
        assertEquals(100 * ensemble.top1(), teachers.get(0).top1Mean(), 1e-9);
        assertEquals(100 * b.top1(), teachers.get(2).top1Mean(), 1e-9);

        ExperimentRunnerTest.Recorder again = new ExperimentRunnerTest.Recorder(null);
        ExperimentRunner.run(ExperimentConfig.load(study), out, again);
        assertEquals(0, again.epochs.get(), "a rerun trains nothing: " + again.messages);
        assertTrue(again.messages.stream().anyMatch(x -> x.startsWith("teacher member 2 of 2: reusing")),
                again.messages.toString());
    }

    @Test
    void membersAreTrainedByTheStudysTeacherAndNamedWithinIt() throws IOException {
        String head = "name: bad\nstudent: " + STUDENT + "\n";
        for (String[] bad : new String[][] {
            {"teacher: {train: " + TEACHER + ", members: 2}\nvariants:\n  - {name: k, method: kd, teacher: {member: 3}}\n",
                "has 2 members"},
            {"teacher: {train: " + TEACHER + "}\nvariants:\n  - {name: k, method: kd, teacher: {member: 1}}\n",
                "is not one"},
            {"teacher: {train: " + TEACHER + ", members: 1}\n", "2.."},
            {"teacher: {model: somewhere, members: 2}\n", "needs 'train'"},
            {"teacher: {member: 1}\n", "only a variant's own teacher may be a member"}}) {
            Path file = dir.resolve("bad.yaml");
            Files.writeString(file, head + bad[0]);
            String m = assertThrows(ConfigException.class, () -> ExperimentConfig.load(file)).getMessage();
            assertTrue(m.contains(bad[1]), m);
        }
    }
}
