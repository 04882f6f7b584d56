package org.distill4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.bench.Bench;
import org.distill4j.bench.IgConvergence;
import org.distill4j.data.Datasets;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Teacher;
import org.distill4j.run.Json;
import org.distill4j.train.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill4j bench}: images/s of each kind of step, on random data; run it alone on the machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Images/s of each kind of step of the seed's study (ResNet18 student, ResNet50+CBAM teacher, "
                + "random 3x32x32 data): student step (with its forward/backward/optimizer split and GFLOP/s), teacher "
                + "forward, KD step, the seed's loss online (IG every step), a teacher-bank build (views/s) and the "
                + "seed's loss read from that bank, eval throughput, batch-1 latency, the machine's float32 "
                + "peak, and every preset's step online and from the bank as a multiple of a student-only step. "
                + "Median (min, max) of --iters timed calls after --warmup untimed ones.",
            "Nothing else should run meanwhile: two libtorch processes on few cores slow each other far more "
                + "than twofold."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--width", defaultValue = "64", description = "Base width of both networks (default 64).")
    int width;
    @Option(names = "--batch-size", defaultValue = "64", description = "Training batch (default 64).")
    int batchSize;
    @Option(names = "--iters", defaultValue = "5", description = "Timed calls per step (default 5).")
    int iters;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed calls before them (default 2).")
    int warmup;
    @Option(names = "--ig-steps", defaultValue = "16", description = "IG steps of the online seed step (default 16).")
    int igSteps;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default cpu).")
    String device;
    @Option(names = "--bank-images", defaultValue = "0", description = "Synthetic 3x32x32 images in the teacher "
            + "bank whose build is timed (default: one build batch; 50000 is CIFAR-10's size).")
    int bankImages;
    @Option(names = "--methods", defaultValue = "all", split = ",", description = "Presets whose training step is "
            + "timed online and from a teacher bank, each as a multiple of a student-only step: all (default), none, "
            + "or a list such as kd,crd,vid (`distill4j methods` lists them).")
    List<String> methods;
    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;
    @Option(names = "--ig-convergence", paramLabel = "TEACHER", description = "Instead: compare the causal masks of "
            + "this trained teacher (a run or a saved model directory) at m = 4, 8, 16, 32 IG steps with m = 64, on "
            + "real test images of its dataset (mean Pearson correlation per image, and ms per image).")
    Path igTeacher;
    @Option(names = "--runtimes", paramLabel = "MODEL", split = ",", description = "Instead: batch-1 latency and "
            + "batch-256 throughput of these models (e.g. resnet18; the seed's ResNets at --width) on 3x32x32 "
            + "inputs, in libtorch as trained, libtorch folded (what eval reports) and ONNX Runtime on the ONNX "
            + "export (default threads, and one thread).")
    List<String> runtimes;
    @Option(names = "--images", defaultValue = "256", description = "Test images for --ig-convergence (default 256).")
    int images;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (igTeacher != null) {
            return igConvergence();
        }
        if (runtimes != null) {
            return runtimes();
        }
        List<String> presets = methods.equals(List.of("all")) ? org.distill4j.distill.Methods.names()
                : methods.equals(List.of("none")) ? List.of() : methods;
        Bench.Options options = new Bench.Options(width, batchSize, iters, warmup, igSteps, device, bankImages, presets);
        System.err.printf(Locale.ROOT, "distill4j bench: width %d, batch %d, %d timed calls after %d warm-up%n",
                width, batchSize, iters, warmup);
        Bench.Result r = Bench.run(options, line -> System.err.println("  " + line));
        System.out.printf(Locale.ROOT, "%-16s %12s %10s %10s %9s %8s%n", "step", "images/s", "min", "max", "GFLOP/s",
                "of peak");
        r.steps().forEach((name, rate) -> System.out.printf(Locale.ROOT, "%-16s %12.1f %10.1f %10.1f %9s %8s%n", name,
                rate.imagesPerSec(), rate.min(), rate.max(),
                rate.gflops() == null ? "" : String.format(Locale.ROOT, "%.1f", rate.gflops()),
                rate.fractionOfPeak() == null ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * rate.fractionOfPeak())));
        System.out.printf(Locale.ROOT, "student step: forward %.1f ms, backward %.1f ms, optimizer %.1f ms (medians)%n",
                r.studentStepMs().get("forward"), r.studentStepMs().get("backward"), r.studentStepMs().get("optimizer"));
        Bench.Rate student = r.steps().get("student");
        Bench.Rate bank = r.steps().get("seedBank");
        System.out.printf(Locale.ROOT, "seed step from the bank: %.2fx the time of a student-only step%n",
                student.imagesPerSec() / bank.imagesPerSec());
        System.out.printf(Locale.ROOT, "bank build %.1f views/s; latency (batch 1) %.2f ms; peak %.1f GFLOP/s; "
                + "student forward %.3f GFLOP/image%n", r.bankViewsPerSec(), r.latencyMs(), r.peakGflops(),
                r.studentForwardGflop());
        if (!r.methods().isEmpty()) {
            System.out.printf(Locale.ROOT, "%n%-14s %12s %12s %10s %10s %14s%n", "method", "online img/s", "bank img/s",
                    "online x", "bank x", "method params");
            r.methods().forEach((name, c) -> System.out.printf(Locale.ROOT, "%-14s %12.1f %12.1f %10.2f %10.2f %,14d%n",
                    name, c.online().imagesPerSec(), c.bank().imagesPerSec(), c.onlineCost(), c.bankCost(),
                    c.methodParams()));
            System.out.println("(x: a step's time over a student-only step's; the bank holds the teacher's outputs for "
                    + "one build batch of synthetic images)");
        }
        if (json != null) {
            Json.writeJson(json, r);
            System.out.println("JSON: " + json.toAbsolutePath());
        }
        return 0;
    }

    private int runtimes() throws Exception {
        List<org.distill4j.bench.RuntimeBench.Row> rows = new java.util.ArrayList<>();
        for (String name : runtimes) {
            boolean hasWidth = org.distill4j.model.Architecture.parse(name).hasWidth();
            org.distill4j.model.ModelSpec spec = new org.distill4j.model.ModelSpec(name, hasWidth ? width : 0, 10, 3);
            System.err.println("distill4j bench --runtimes: " + spec.label() + ", 3x32x32");
            rows.addAll(org.distill4j.bench.RuntimeBench.run(spec, 32, line -> System.err.println("  " + line)));
        }
        System.out.printf(Locale.ROOT, "%-18s %-32s %12s %10s %12s%n", "model", "runtime", "batch-1 ms", "min ms",
                "images/s");
        for (org.distill4j.bench.RuntimeBench.Row r : rows) {
            System.out.printf(Locale.ROOT, "%-18s %-32s %12.2f %10.2f %12.0f%n", r.model(), r.runtime(), r.medianMs(),
                    r.minMs(), r.imagesPerSec());
        }
        if (json != null) {
            org.distill4j.run.Json.writeJson(json, rows);
        }
        return 0;
    }

    private int igConvergence() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device));
                Teacher teacher = Teacher.load(igTeacher, manager)) {
            ImageDataset test = Datasets.load(teacher.info().dataset(),
                    dataDir != null ? dataDir : Datasets.defaultDataDir()).test();
            List<Integer> steps = List.of(4, 8, 16, 32);
            IgConvergence.Result r = IgConvergence.measure(teacher, test, images, steps, 64, 3, manager,
                    line -> System.err.println("  " + line));
            System.out.printf(Locale.ROOT, "causal masks of %s (stage 3) against m = %d, on %d %s test images "
                    + "(%d left out: a constant mask)%n", igTeacher, r.reference(), r.images(), teacher.info().dataset(),
                    r.constant());
            System.out.printf(Locale.ROOT, "%-4s %18s %18s %12s%n", "m", "mean correlation", "min correlation",
                    "ms/image");
            for (int m : steps) {
                System.out.printf(Locale.ROOT, "%-4d %18.4f %18.4f %12.1f%n", m, r.meanCorrelation().get(m),
                        r.minCorrelation().get(m), r.msPerImage().get(m));
            }
            System.out.printf(Locale.ROOT, "%-4d %18s %18s %12.1f%n", r.reference(), "(reference)", "",
                    r.msPerImage().get(r.reference()));
            if (json != null) {
                Json.writeJson(json, r);
            }
            return 0;
        }
    }
}
