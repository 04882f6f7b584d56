package org.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The bad-input catalogue: every way a user can hand distill4j something wrong that we know of, as one table. Each
 * case asserts the exit status, a one-line message that names the input and says what to do, no stack trace, and
 * that a finished run (and every file the case did not aim at) is unchanged. docs/bad-input.md lists the cases with
 * the message each gets; it is regenerated from this test (target/bad-input.md) and must name every case.
 */
class BadInputCatalogueTest {
    @TempDir
    static Path shared;
    /** A finished run that no case may change. */
    static Path finished;
    static String finishedDigest;
    static final Map<String, String> MESSAGES = new TreeMap<>();

    /** One bad input: where it comes from, how to hand it over, and what the user must be told. */
    record Case(String name, String input, Setup setup, int exit, List<String> says) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Writes what the case needs under {@code dir} and returns the command line. */
    @FunctionalInterface
    interface Setup {
        String[] args(Path dir) throws Exception;
    }

    static final String[] QUICK = {"--dataset", "synthetic", "--width", "4", "--epochs", "1", "--batch-size", "32",
            "--max-batches", "2", "--test-subset", "64", "--device", "cpu"};

    @BeforeAll
    static void trainAFinishedRun() throws Exception {
        finished = shared.resolve("finished");
        MainTest.Outcome o = MainTest.run(concat(new String[] {"train", "--out", finished.toString()}, QUICK));
        assertEquals(0, o.code(), o.err());
        finishedDigest = digest(finished);
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // --- the command line
        c.add(new Case("unknown-option", "command line", d -> a("train", "--colour", "blue"), 2,
                List.of("Unknown option", "'--colour'")));
        c.add(new Case("value-not-a-number", "command line", d -> a("train", "--width", "many"), 2,
                List.of("--width", "many")));
        c.add(new Case("width-out-of-range", "command line", d -> quick(d, "--width", "-1"), 1,
                List.of("'width'", "[1, 1024]")));
        c.add(new Case("lr-nan", "command line", d -> quick(d, "--lr", "NaN"), 1, List.of("'lr'")));
        c.add(new Case("lr-negative", "command line", d -> quick(d, "--lr", "-0.1"), 1, List.of("'lr'")));
        c.add(new Case("epochs-zero", "command line", d -> quick(d, "--epochs", "0"), 1, List.of("'epochs'")));
        c.add(new Case("batch-size-zero", "command line", d -> quick(d, "--batch-size", "0"), 1,
                List.of("'batchSize'")));
        c.add(new Case("unknown-dataset", "command line", d -> quick(d, "--dataset", "imagenet"), 1,
                List.of("dataset", "imagenet", "fashion-mnist")));
        c.add(new Case("unknown-schedule", "command line", d -> quick(d, "--schedule", "linear"), 1,
                List.of("schedule", "linear", "cosine")));
        c.add(new Case("unknown-device", "command line", d -> quick(d, "--device", "tpu"), 1,
                List.of("device", "tpu", "cpu")));
        c.add(new Case("unknown-model", "command line", d -> quick(d, "--model", "resnet19"), 1,
                List.of("'resnet19'", "distill4j models")));
        c.add(new Case("bad-checkpoint-interval", "command line", d -> quick(d, "--checkpoint-every", "10x"), 1,
                List.of("'10x'", "10m")));
        c.add(new Case("resume-without-out", "command line", d -> a("train", "--resume"), 1,
                List.of("--resume needs --out")));
        c.add(new Case("resume-not-a-run", "run directory", d -> a("train", "--resume", "--out",
                dir(d, "empty").toString()), 1, List.of("empty", "not a distill4j run directory")));
        c.add(new Case("out-holds-another-run", "run directory", d -> concat(a("train", "--out", finished.toString()),
                quickOptions("--width", "8")), 1, List.of(finished.toString(), "holds another run", "width",
                "another --out")));
        c.add(new Case("resume-changes-the-run", "run directory", d -> a("train", "--resume", "--lr", "0.5", "--out",
                finished.toString()), 1, List.of("lr", "another --out")));
        c.add(new Case("distill-without-teacher", "command line", d -> a("distill", "--student", "resnet18"), 1,
                List.of("--teacher")));
        c.add(new Case("distill-unknown-method", "command line", d -> a("distill", "--teacher", finished.toString(),
                "--method", "crdd"), 1, List.of("'crdd'", "crd-kd")));
        c.add(new Case("distill-set-without-value", "command line", d -> a("distill", "--teacher",
                finished.toString(), "--set", "igSteps"), 1, List.of("igSteps", "KEY=VALUE")));
        c.add(new Case("distill-set-unknown-key", "command line", d -> a("distill", "--teacher",
                finished.toString(), "--set", "nosuch=1"), 1, List.of("nosuch")));
        // --- config and study files
        c.add(new Case("config-missing", "config file", d -> a("train", "--config", d.resolve("nope.yaml").toString()),
                1, List.of("nope.yaml")));
        c.add(new Case("config-yaml-syntax", "config file", d -> a("train", "--config",
                file(d, "c.yaml", "epochs: [1, 2\nlr: 0.1\n").toString()), 1, List.of("c.yaml", "line ", "fix the file")));
        c.add(new Case("config-unknown-key", "config file", d -> a("train", "--config",
                file(d, "c.yaml", "epochz: 3\n").toString()), 1, List.of("c.yaml", "epochz", "allowed keys")));
        c.add(new Case("config-wrong-type", "config file", d -> a("train", "--config",
                file(d, "c.yaml", "epochs: many\n").toString()), 1, List.of("c.yaml", "epochs", "many")));
        c.add(new Case("config-yaml-type-gadget", "config file", d -> a("train", "--config",
                file(d, "c.yaml", "model: !!java.io.FileOutputStream [" + d.resolve("pwned") + "]\n").toString()), 1,
                List.of("model")));
        c.add(new Case("study-missing", "study file", d -> run(d, d.resolve("nope.yaml")), 1,
                List.of("nope.yaml")));
        c.add(new Case("study-empty", "study file", d -> run(d, file(d, "s.yaml", "")), 1,
                List.of("s.yaml", "empty")));
        c.add(new Case("study-yaml-syntax", "study file", d -> run(d, file(d, "s.yaml", "name: x\nseeds: [1,\n")), 1,
                List.of("s.yaml")));
        c.add(new Case("study-unknown-key", "study file", d -> run(d, study(d, "colour: blue\n")), 1,
                List.of("colour")));
        c.add(new Case("study-variant-escapes", "study file", d -> run(d, study(d, "",
                "  - {name: ../../../evil, method: kd}\n")), 1, List.of("../../../evil")));
        c.add(new Case("study-name-escapes", "study file", d -> run(d, file(d, "s.yaml",
                studyText("../../evil", "", "  - {name: kd, method: kd}\n"))), 1, List.of("../../evil")));
        c.add(new Case("study-unknown-method", "study file", d -> run(d, study(d, "",
                "  - {name: odd, method: nosuch}\n")), 1, List.of("nosuch")));
        c.add(new Case("study-malformed-sha256", "study file", d -> run(d, file(d, "s.yaml",
                studyText("t", "  sha256: xyz\n", "  - {name: kd, method: kd}\n"))), 1,
                List.of("sha256", "xyz")));
        c.add(new Case("study-wrong-sha256", "teacher", d -> run(d, file(d, "s.yaml",
                studyText("t", "  sha256: " + "f".repeat(64) + "\n", "  - {name: kd, method: kd}\n"))), 1,
                List.of("SHA-256", "restore it")));
        c.add(new Case("study-yaml-type-gadget", "study file", d -> run(d, file(d, "s.yaml",
                studyText("!!java.io.FileOutputStream [" + d.resolve("pwned") + "]", "", "  - {name: kd, method: kd}\n"))),
                1, List.of("name")));
        c.add(new Case("study-teacher-missing", "teacher", d -> run(d, file(d, "s.yaml",
                studyText("t", "", "  - {name: kd, method: kd}\n").replace(finished.resolve("model").toString(),
                        d.resolve("nowhere").toString()))), 1,
                List.of("nowhere")));
        // --- datasets
        c.add(new Case("fashion-mnist-not-gzip", "dataset", d -> fmnist(d, "train-images-idx3-ubyte.gz",
                "not a gzip file".getBytes(StandardCharsets.UTF_8)), 1, List.of("train-images-idx3-ubyte.gz", "gzip",
                "distill4j data download fashion-mnist")));
        c.add(new Case("fashion-mnist-truncated", "dataset", d -> fmnist(d, "train-images-idx3-ubyte.gz",
                gzip(Arrays2.slice(idxImages(20), 0, 16 + 28 * 28 * 5))), 1, List.of("train-images-idx3-ubyte.gz",
                "truncated")));
        c.add(new Case("fashion-mnist-wrong-magic", "dataset", d -> fmnist(d, "train-labels-idx1-ubyte.gz",
                gzip(idxImages(20))), 1, List.of("train-labels-idx1-ubyte.gz", "magic")));
        c.add(new Case("fashion-mnist-label-out-of-range", "dataset", d -> fmnist(d, "train-labels-idx1-ubyte.gz",
                gzip(idxLabels(20, 10))), 1, List.of("train-labels-idx1-ubyte.gz", "10")));
        c.add(new Case("fashion-mnist-count-mismatch", "dataset", d -> fmnist(d, "train-labels-idx1-ubyte.gz",
                gzip(idxLabels(19, 0))), 1, List.of("20 images", "19 labels", "distill4j data download fashion-mnist")));
        c.add(new Case("fashion-mnist-empty", "dataset", d -> fmnist(d, "t10k-images-idx3-ubyte.gz", new byte[0]), 1,
                List.of("t10k-images-idx3-ubyte.gz")));
        c.add(new Case("cifar10-missing", "dataset", d -> dataArgs(dir(d, "data"), "cifar10"), 1,
                List.of("data_batch_1.bin", "distill4j data download cifar10")));
        c.add(new Case("cifar10-wrong-length", "dataset", d -> cifar(d, 3073 * 4 + 100, 0), 1,
                List.of("data_batch_1.bin", "3073")));
        c.add(new Case("cifar10-label-out-of-range", "dataset", d -> cifar(d, 3073 * 4, 12), 1,
                List.of("data_batch_1.bin", "12")));
        c.add(new Case("folder-missing", "dataset", d -> dataArgs(d.resolve("photos"), "folder"), 1,
                List.of("photos")));
        c.add(new Case("folder-empty", "dataset", d -> dataArgs(dir(d, "photos/train"), "folder"), 1,
                List.of("photos")));
        // --- checkpoints
        c.add(new Case("checkpoint-truncated", "checkpoint", d -> resumeWith(d, ckpt -> Arrays2.slice(ckpt, 0, 200)),
                1, List.of("last.ckpt", "truncated", "best.ckpt")));
        c.add(new Case("checkpoint-not-a-checkpoint", "checkpoint", d -> resumeWith(d,
                ckpt -> "hello".repeat(100).getBytes(StandardCharsets.UTF_8)), 1, List.of("last.ckpt",
                "not a distill4j checkpoint")));
        c.add(new Case("checkpoint-crafted-header", "checkpoint", d -> resumeWith(d, ckpt -> {
            ByteBuffer b = ByteBuffer.wrap(ckpt.clone());
            b.putInt(8, Integer.MAX_VALUE); // epochs completed
            return b.array();
        }), 1, List.of("last.ckpt", "not a distill4j checkpoint")));
        c.add(new Case("checkpoint-crafted-tensor-size", "checkpoint", d -> resumeWith(d, ckpt -> craftedTensor(ckpt)),
                1, List.of("last.ckpt")));
        c.add(new Case("checkpoint-of-another-model", "checkpoint", d -> {
            Path other = d.resolve("other");
            MainTest.Outcome o = MainTest.run(concat(a("train", "--out", other.toString()),
                    quickOptions("--width", "8")));
            assertEquals(0, o.code(), o.err());
            return resumeWith(d, ckpt -> Files.readAllBytes(other.resolve("checkpoints/last.ckpt")));
        }, 1, List.of("last.ckpt", "does not match the model")));
        // --- saved models and teachers
        c.add(new Case("model-truncated", "saved model", d -> a("eval", copyWith(d, "model/parameters.bin",
                b -> Arrays2.slice(b, 0, b.length / 2)).toString(), "--device", "cpu"), 1, List.of("parameters.bin")));
        c.add(new Case("model-info-corrupt", "saved model", d -> a("eval", copyWith(d, "model/model.json",
                b -> "{\"model\": 3".getBytes(StandardCharsets.UTF_8)).toString(), "--device", "cpu"), 1,
                List.of("model.json")));
        c.add(new Case("model-of-another-architecture", "saved model", d -> a("eval", copyWith(d, "model/model.json",
                b -> new String(b, StandardCharsets.UTF_8).replace("\"resnet18\"", "\"resnet34\"")
                        .getBytes(StandardCharsets.UTF_8)).toString(), "--device", "cpu"), 1,
                List.of("parameters.bin", "another architecture or width")));
        c.add(new Case("model-missing", "saved model", d -> a("eval", dir(d, "empty").toString()), 1,
                List.of("empty")));
        c.add(new Case("predict-image-missing", "image", d -> a("predict", finished.toString(),
                d.resolve("cat.png").toString()), 1, List.of("cat.png")));
        c.add(new Case("predict-not-an-image", "image", d -> a("predict", finished.toString(),
                file(d, "cat.png", "plain text").toString()), 1, List.of("cat.png")));
        c.add(new Case("export-unknown-format", "command line", d -> a("export", finished.toString(), "--format",
                "tflite", "--out", d.resolve("m").toString()), 2, List.of("--format", "tflite", "onnx")));
        c.add(new Case("teacher-not-a-run", "teacher", d -> concat(a("distill", "--teacher", dir(d, "empty").toString(),
                "--out", d.resolve("s").toString()), QUICK), 1, List.of("empty")));
        c.add(new Case("teacher-other-classes", "teacher", d -> a("distill", "--teacher", finished.toString(),
                "--dataset", "folder", "--data-dir", imageFolder(d).toString(), "--width", "4", "--epochs", "1",
                "--out", d.resolve("s").toString()), 1, List.of("10 classes", "2")));
        c.add(new Case("torchscript-teacher-garbage", "teacher", d -> concat(a("distill", "--teacher",
                file(d, "teacher.pt", "not a zip").toString(), "--out", d.resolve("s").toString()), QUICK), 1,
                List.of("teacher.pt")));
        c.add(new Case("report-not-a-study", "study directory", d -> a("report", dir(d, "empty").toString()), 1,
                List.of("empty")));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGetsOneClearLineAndChangesNothing(Case k, @TempDir Path dir) throws Exception {
        String[] args = k.setup().args(dir);
        Map<String, String> before = snapshot(dir);
        MainTest.Outcome o = MainTest.run(args);
        assertEquals(k.exit(), o.code(), k.name() + ": " + o.err());
        String err = o.err().strip();
        String line = err.lines().findFirst().orElse("");
        for (String s : k.says()) {
            assertTrue(line.contains(s), k.name() + ": the message should say '" + s + "': " + line);
        }
        assertFalse(err.contains("\tat "), k.name() + ": no stack trace: " + err);
        if (k.exit() == 1) {
            assertEquals(1, err.lines().count(), k.name() + ": one line: " + err);
            assertTrue(line.startsWith("error: ") && !line.contains("internal error"), line);
        }
        assertEquals(finishedDigest, digest(finished), k.name() + " changed a finished run");
        Map<String, String> after = snapshot(dir);
        before.forEach((f, hash) -> assertEquals(hash, after.get(f), k.name() + " changed " + f));
        assertFalse(Files.exists(dir.resolve("pwned")), k.name() + ": YAML constructed an object");
        synchronized (MESSAGES) {
            MESSAGES.put(k.name(), k.input() + "\t" + String.join(" ", args).replace(dir.toString(), "D")
                    .replace(finished.toString(), "RUN") + "\t" + k.exit() + "\t"
                    + line.replace(dir.toString(), "D").replace(finished.toString(), "RUN"));
        }
    }

    @Test
    void debugShowsTheStackTrace() {
        MainTest.Outcome o = MainTest.run(concat(a("--debug", "train"), quickOptions("--lr", "NaN")));
        assertEquals(1, o.code());
        assertTrue(o.err().startsWith("error: ") && o.err().contains("\tat org.distill4j."), o.err());
        MainTest.Outcome after = MainTest.run(concat(a("train"), concat(quickOptions("--lr", "NaN"), a("--debug"))));
        assertTrue(after.err().contains("\tat org.distill4j."), "--debug after the command works too: " + after.err());
    }

    @Test
    void theCatalogueIsLargeAndDocumented() throws IOException {
        List<Case> all = cases().toList();
        assertTrue(all.size() >= 40, all.size() + " cases");
        Path doc = Path.of("..", "docs", "bad-input.md");
        String text = Files.isRegularFile(doc) ? Files.readString(doc) : "";
        List<String> undocumented = all.stream().map(Case::name).filter(n -> !text.contains("`" + n + "`")).toList();
        assertTrue(undocumented.isEmpty(), "docs/bad-input.md lacks " + undocumented
                + "; copy distill4j-cli/target/bad-input.md (written by this test) over it");
    }

    @AfterAll
    static void writeTheTable() throws IOException {
        StringBuilder md = new StringBuilder("| case | input | command (D: a scratch directory, RUN: a finished run) "
                + "| exit | message |\n|---|---|---|---|---|\n");
        MESSAGES.forEach((name, row) -> {
            String[] f = row.split("\t", 4);
            md.append("| `").append(name).append("` | ").append(f[0]).append(" | `").append(f[1].replace("|", "\\|"))
                    .append("` | ").append(f[2]).append(" | ").append(f[3].replace("|", "\\|")).append(" |\n");
        });
        Files.writeString(Path.of("target", "bad-input.md"), md.toString());
    }

    // --- fixtures

    static String[] a(String... args) {
        return args;
    }

    static String[] concat(String[] x, String[] y) {
        return Stream.concat(Stream.of(x), Stream.of(y)).toArray(String[]::new);
    }

    /** The quick synthetic options with some replaced or added ({@code --name value} pairs). */
    static String[] quickOptions(String... replaced) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (int i = 0; i < QUICK.length; i += 2) {
            options.put(QUICK[i], QUICK[i + 1]);
        }
        for (int i = 0; i < replaced.length; i += 2) {
            options.put(replaced[i], replaced[i + 1]);
        }
        return options.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
    }

    /** The quick synthetic training command into {@code d/r}, with some options replaced or added. */
    static String[] quick(Path d, String... replaced) {
        return concat(a("train", "--out", d.resolve("r").toString()), quickOptions(replaced));
    }

    /** {@code distill4j run STUDY --out d/out}. */
    static String[] run(Path d, Path study) {
        return a("run", study.toString(), "--out", d.resolve("out").toString());
    }

    static String[] dataArgs(Path dataDir, String dataset) {
        return quick(dataDir.getParent(), "--dataset", dataset, "--data-dir", dataDir.toString());
    }

    static Path dir(Path d, String name) throws IOException {
        return Files.createDirectories(d.resolve(name));
    }

    static Path file(Path d, String name, String content) throws IOException {
        Path p = d.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static String studyText(String name, String teacherExtra, String variants) {
        return "name: " + name + "\nteacher:\n  model: " + finished.resolve("model") + "\n" + teacherExtra
                + "student: {model: resnet18, width: 4, dataset: synthetic, epochs: 1, batchSize: 32, maxBatches: 2, "
                + "testSubset: 64, device: cpu}\nseeds: [1]\nvariants:\n" + variants;
    }

    static Path study(Path d, String extra, String variants) throws IOException {
        return file(d, "s.yaml", studyText("t", "", variants) + extra);
    }

    static Path study(Path d, String extra) throws IOException {
        return study(d, extra, "  - {name: kd, method: kd}\n");
    }

    /** An image folder of two classes, three 8x8 PNGs each. */
    static Path imageFolder(Path d) throws IOException {
        Path root = d.resolve("photos");
        for (String k : List.of("cats", "dogs")) {
            Path dir = dir(root, "train/" + k);
            for (int i = 0; i < 3; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                img.setRGB(i, i, 0xffffff);
                javax.imageio.ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
            }
        }
        return root;
    }

    static byte[] idxImages(int n) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 28 * 28);
        b.putInt(0x00000803).putInt(n).putInt(28).putInt(28);
        return b.array();
    }

    static byte[] idxLabels(int n, int label) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i == n - 1 ? label : i % 10));
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        }
        return bytes.toByteArray();
    }

    /** A complete, well-formed Fashion-MNIST directory of 20 images per split, with one file replaced. */
    static String[] fmnist(Path d, String replaced, byte[] content) throws IOException {
        Path data = dir(d, "data");
        Path fm = dir(data, "fashion-mnist");
        Files.write(fm.resolve("train-images-idx3-ubyte.gz"), gzip(idxImages(20)));
        Files.write(fm.resolve("train-labels-idx1-ubyte.gz"), gzip(idxLabels(20, 9)));
        Files.write(fm.resolve("t10k-images-idx3-ubyte.gz"), gzip(idxImages(20)));
        Files.write(fm.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idxLabels(20, 9)));
        Files.write(fm.resolve(replaced), content);
        return dataArgs(data, "fashion-mnist");
    }

    /** CIFAR-10's six binary files, the first of {@code bytes} bytes whose last record has label {@code label}. */
    static String[] cifar(Path d, int bytes, int label) throws IOException {
        Path data = dir(d, "data");
        Path c = dir(data, "cifar10/cifar-10-batches-bin");
        for (String f : List.of("data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                "test_batch.bin")) {
            Files.write(c.resolve(f), new byte[3073 * 4]);
        }
        byte[] first = new byte[bytes];
        if (bytes >= 3073) {
            first[(bytes / 3073 - 1) * 3073] = (byte) label;
        }
        Files.write(c.resolve("data_batch_1.bin"), first);
        Files.writeString(c.resolve("batches.meta.txt"),
                "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
        return dataArgs(data, "cifar10");
    }

    @FunctionalInterface
    interface Edit {
        byte[] apply(byte[] content) throws IOException;
    }

    /** A copy of the finished run with one file edited. */
    static Path copyWith(Path d, String file, Edit edit) throws IOException {
        Path copy = d.resolve("copy");
        try (Stream<Path> files = Files.walk(finished)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(finished.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path edited = copy.resolve(file);
        Files.write(edited, edit.apply(Files.readAllBytes(edited)));
        return copy;
    }

    /** Resuming an unfinished copy of the finished run, one more epoch, from an edited last checkpoint. */
    static String[] resumeWith(Path d, Edit edit) throws IOException {
        Path copy = copyWith(d, "checkpoints/last.ckpt", edit);
        Files.delete(copy.resolve("metrics.json"));
        return a("train", "--resume", "--epochs", "2", "--out", copy.toString());
    }

    /**
     * The checkpoint with the first tensor's shape claiming 2^31 - 1 values per dimension (DJL writes "NDAR", a
     * version, a name, the data type, then the shape): loading must not allocate what the header claims.
     */
    static byte[] craftedTensor(byte[] ckpt) {
        byte[] out = ckpt.clone();
        String text = new String(out, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("NDAR");
        assertTrue(at > 0, "the checkpoint holds DJL arrays");
        ByteBuffer b = ByteBuffer.wrap(out);
        // after the magic: version (int), then the shape written by Shape.encode: its rank (int) and its dimensions
        int search = at + 4;
        for (int i = search; i < Math.min(out.length - 12, at + 200); i++) {
            if (b.getInt(i) == 4 && b.getLong(i + 4) > 0 && b.getLong(i + 4) < 1024) { // rank 4 (a conv kernel)
                for (int k = 0; k < 4; k++) {
                    b.putLong(i + 4 + 8 * k, Integer.MAX_VALUE);
                }
                return out;
            }
        }
        throw new AssertionError("no rank-4 shape found after the first NDAR");
    }

    /** SHA-256 over every file's path and content under {@code root}, lock files aside. */
    static String digest(Path root) throws Exception {
        return snapshot(root).toString();
    }

    /** The SHA-256 of each file under {@code root} by its relative path, lock files aside. */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(org.distill4j.run.RunLock.FILE)) {
                    files.put(root.relativize(p).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                }
            }
        }
        return files;
    }

    /** Byte-array slicing, named for what the cases do. */
    static final class Arrays2 {
        static byte[] slice(byte[] b, int from, int to) {
            return java.util.Arrays.copyOfRange(b, from, Math.min(to, b.length));
        }
    }
}
