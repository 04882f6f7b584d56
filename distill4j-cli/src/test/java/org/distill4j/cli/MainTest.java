package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: bad input gets a message and an exit code, never a stack trace; the real path runs. */
class MainTest {

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = cl.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void unknownOptionIsAUsageError() {
        Outcome o = run("train", "--colour", "blue");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("Unknown option") && o.err().contains("'--colour'"), o.err());
    }

    @Test
    void badValuesGetAMessageNamingTheKey() {
        Outcome o = run("train", "--width", "-1", "--dataset", "synthetic");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("'width'") && o.err().contains("[1, 1024]"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());

        o = run("train", "--width", "many");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--width"), o.err());

        o = run("train", "--dataset", "imagenet");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("fashion-mnist"), o.err());
    }

    @Test
    void unknownModelListsTheModels(@TempDir Path dir) {
        Outcome o = run("train", "--model", "resnet19", "--dataset", "synthetic", "--epochs", "1",
                "--out", dir.resolve("r").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("'resnet19'") && o.err().contains("wrn-D-K") && o.err().contains("distill4j models"),
                o.err());
    }

    @Test
    void missingDatasetFilesSayWhatToDo(@TempDir Path dir) {
        Outcome o = run("data", "verify", "cifar10", "--data-dir", dir.toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains("distill4j data download cifar10"), o.err());
    }

    @Test
    void trainThenEvalOnSyntheticData(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Outcome o = run("train", "--model", "resnet18", "--width", "4", "--dataset", "synthetic", "--epochs", "1",
                "--batch-size", "32", "--max-batches", "4", "--test-subset", "64", "--device", "cpu",
                "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("top-1") && o.out().contains("parameters"), o.out());
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")));

        Outcome again = run("train", "--dataset", "synthetic", "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--resume"), again.err());

        Outcome conflict = run("train", "--resume", "--lr", "0.5", "--out", out.toString());
        assertEquals(1, conflict.code());
        assertTrue(conflict.err().contains("lr"), conflict.err());

        Outcome eval = run("eval", out.toString(), "--device", "cpu");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("resnet18 on synthetic"), eval.out());
    }

    @Test
    void theSameCommandAgainLeavesAFinishedRunAndContinuesAnUnfinishedOne(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        String[] command = {"train", "--model", "resnet18", "--width", "4", "--dataset", "synthetic", "--epochs", "1",
            "--batch-size", "32", "--max-batches", "3", "--test-subset", "64", "--device", "cpu", "--out", out.toString()};
        assertEquals(0, run(command).code());
        String metrics = Files.readString(out.resolve("metrics.json"));
        Outcome again = run(command);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("top-1") && again.out().contains(out.toString()), again.out());
        assertEquals(metrics, Files.readString(out.resolve("metrics.json")), "a finished run is left as it is");

        // killed before its first checkpoint: the same command starts it afresh instead of refusing
        Files.delete(out.resolve("metrics.json"));
        Files.delete(out.resolve("checkpoints/last.ckpt"));
        Outcome continued = run(command);
        assertEquals(0, continued.code(), continued.err());
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")));
    }

    @Test
    void distillFromATrainedTeacher(@TempDir Path dir) throws Exception {
        Path teacher = dir.resolve("teacher");
        Outcome t = run("train", "--model", "resnet18-cbam", "--width", "4", "--dataset", "synthetic", "--epochs", "1",
                "--batch-size", "32", "--max-batches", "3", "--test-subset", "64", "--device", "cpu",
                "--out", teacher.toString());
        assertEquals(0, t.code(), t.err());

        Outcome missing = run("distill", "--student", "resnet18");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("--teacher"), missing.err());

        Outcome unknown = run("distill", "--teacher", teacher.toString(), "--method", "crdd");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("kd-causal-at") && unknown.err().contains("crd-kd"), unknown.err());

        Outcome weights = run("distill", "--teacher", teacher.toString(), "--set", "at.stages=[1,2]",
                "--set", "at.weights=[1,2,3]");
        assertEquals(1, weights.code());
        assertTrue(weights.err().contains("at.weights") && weights.err().contains("one weight per stage"),
                weights.err());
        Outcome noValue = run("distill", "--teacher", teacher.toString(), "--set", "igSteps");
        assertEquals(1, noValue.code());
        assertTrue(noValue.err().contains("KEY=VALUE"), noValue.err());

        Path out = dir.resolve("student");
        Outcome d = run("distill", "--teacher", teacher.toString(), "--student", "resnet18", "--width", "4",
                "--epochs", "1", "--batch-size", "32", "--max-batches", "3", "--test-subset", "64", "--device", "cpu",
                "--method", "seed", "--set", "igSteps=2", "--out", out.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("method: seed: ") && d.out().contains("m=2"), d.out());
        assertTrue(Files.readString(out.resolve("config.yaml")).contains("teacher:"));

        Outcome conflict = run("distill", "--resume", "--set", "at.weight=5", "--out", out.toString());
        assertEquals(1, conflict.code());
        assertTrue(conflict.err().contains("at.weight=5"), conflict.err());

        // The same run described in a YAML file; the command line still overrides it.
        Path yaml = dir.resolve("distill.yaml");
        Files.writeString(yaml, "teacher: " + teacher + "\n"
                + "student: {model: resnet18, width: 4, epochs: 1, batchSize: 32, maxBatches: 2, testSubset: 64, device: cpu}\n"
                + "method: {name: kd, temperature: 2.0}\n");
        Path fromFile = dir.resolve("from-file");
        Outcome f = run("distill", "--config", yaml.toString(), "--set", "kd.weight=0.5", "--out", fromFile.toString());
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("kd: 0.1*CE + 0.5*KD(T=2)"), f.out());

        // An explicit list of weighted terms, with a part the method trains (CRD's heads): counted apart
        Files.writeString(yaml, "teacher: " + teacher + "\n"
                + "student: {model: resnet18, width: 4, epochs: 1, batchSize: 32, maxBatches: 2, testSubset: 64, device: cpu}\n"
                + "method: {name: mine, terms: [{term: ce, weight: 1}, {term: crd, weight: 0.8, negatives: 64}]}\n");
        Path explicit = dir.resolve("explicit");
        Outcome e = run("distill", "--config", yaml.toString(), "--out", explicit.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("mine: 1*CE + 0.8*CRD(embed 128, K=64"), e.out());
        String metrics = Files.readString(explicit.resolve("metrics.json"));
        // two heads, pooled width 32 (resnet18 at width 4) -> 128: 2 * (32 * 128 + 128)
        assertTrue(metrics.contains("\"methodParams\" : 8448") && metrics.contains("\"params\" : "), metrics);

        Files.writeString(yaml, "teacher: " + teacher + "\nmethod: {name: kd, temprature: 2.0}\n");
        Outcome typo = run("distill", "--config", yaml.toString(), "--out", dir.resolve("typo").toString());
        assertEquals(1, typo.code());
        assertTrue(typo.err().contains("'temprature'") && typo.err().contains("temperature"), typo.err());

        // From a teacher bank: built in RUN/teacher-bank, named in config.yaml, and read by the student.
        Path banked = dir.resolve("banked");
        Outcome b = run("distill", "--teacher", teacher.resolve("model").toString(), "--student", "resnet18",
                "--width", "4", "--epochs", "2", "--batch-size", "32", "--max-batches", "2", "--train-subset", "96",
                "--test-subset", "64", "--device", "cpu", "--method", "kd", "--bank-views", "2", "--bank-precision",
                "fp32", "--out", banked.toString());
        assertEquals(0, b.code(), b.err());
        try (var banks = Files.list(banked.resolve("teacher-bank"))) {
            assertEquals(1, banks.filter(p -> p.toString().endsWith(".bin")).count());
        }
        String config = Files.readString(banked.resolve("config.yaml"));
        assertTrue(config.contains("teacherBank:") && config.contains("views: 2") && config.contains("fp32"), config);
        Outcome lonely = run("distill", "--teacher", teacher.toString(), "--bank-seed", "3");
        assertEquals(1, lonely.code());
        assertTrue(lonely.err().contains("need --bank-views"), lonely.err());
    }
}
