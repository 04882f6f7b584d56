package org.distill4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.distill.DistillObjective;
import org.distill4j.distill.Methods;
import org.distill4j.distill.Teacher;
import org.distill4j.distill.TeacherBank;
import org.distill4j.distill.Method;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.eval.Speed;
import org.distill4j.model.Network;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.train.Devices;
import org.distill4j.train.LearningRateSchedule;
import org.distill4j.train.SgdMomentum;
import org.distill4j.train.TrainListener;
import org.distill4j.train.TrainObjective;
import org.distill4j.train.Trainer;

/**
 * {@code distill4j bench}: images/s of each kind of step of the seed's study at a given width and batch, on
 * random 3x32x32 images and labels (speed does not depend on pixel values): a student (ResNet18) step with
 * cross-entropy, a teacher (ResNet50+CBAM) forward, a KD step, a step of the seed's loss computed online
 * (teacher features and IG every step), a teacher bank's build rate and the same seed step reading the teacher
 * from that bank, evaluation throughput and batch-1 latency of the student, and the machine's practical peak (a
 * large float32 matrix product) measured first. Steps that run only the student also report the GFLOP/s they
 * achieve (the student's convolution and linear FLOPs, x3 for a training step's forward and backward passes).
 * Each figure is the median, with min and max, over {@code iters} timed calls after {@code warmup} untimed ones.
 */
public final class Bench {

    /**
     * @param width     base width of both networks (64 = the paper's models)
     * @param batchSize training batch
     * @param iters     timed calls per step
     * @param warmup    untimed calls before them
     * @param igSteps   IG interpolation steps of the online seed step
     * @param device    cpu, gpu or auto
     * @param bankImages synthetic images in the bench's teacher bank (0: one build batch, or the batch if larger);
     *                  50,000 is CIFAR-10's training set
     */
    public record Options(int width, int batchSize, int iters, int warmup, int igSteps, String device,
            int bankImages, List<String> methods) {
        public Options(int width, int batchSize, int iters, int warmup, int igSteps, String device) {
            this(width, batchSize, iters, warmup, igSteps, device, 0, List.of());
        }

        public Options(int width, int batchSize, int iters, int warmup, int igSteps, String device, int bankImages) {
            this(width, batchSize, iters, warmup, igSteps, device, bankImages, List.of());
        }

        public Options {
            methods = methods == null ? List.of() : List.copyOf(methods);
            for (String m : methods) {
                Methods.preset(m); // an unknown name fails here, naming the presets
            }
            ConfigException.require(bankImages >= 0 && bankImages <= 1_000_000, "bankImages", bankImages,
                    "0..1000000");
            ConfigException.require(width >= 1 && width <= 1024, "width", width, "1..1024");
            ConfigException.require(batchSize >= 2 && batchSize <= 4096, "batchSize", batchSize, "2..4096");
            ConfigException.require(iters >= 1 && iters <= 10000, "iters", iters, "1..10000");
            ConfigException.require(warmup >= 0 && warmup <= 1000, "warmup", warmup, "0..1000");
            ConfigException.require(igSteps >= 1 && igSteps <= 512, "igSteps", igSteps, "1..512");
        }
    }

    /**
     * Images/s of one step: median over timed calls, with the slowest (min) and fastest (max) call.
     *
     * @param gflops        achieved GFLOP/s at the median, for steps whose work is the student's alone; else null
     * @param fractionOfPeak gflops over the peak measured at start-up, or null
     */
    public record Rate(double imagesPerSec, double min, double max, int iters, Double gflops, Double fractionOfPeak) {
        static Rate of(double[] seconds, int images) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return new Rate(images / median(s), images / s[s.length - 1], images / s[0], s.length, null, null);
        }

        /** This rate with the GFLOP/s that {@code flopsPerImage} floating-point operations per image make. */
        Rate withFlops(double flopsPerImage, double peakGflops) {
            double g = imagesPerSec * flopsPerImage / 1e9;
            return new Rate(imagesPerSec, min, max, iters, g, g / peakGflops);
        }
    }

    /**
     * The JSON written by {@code --json}.
     *
     * @param steps           student, teacherForward, kd, seedOnline, seedBank, eval
     * @param bankViewsPerSec teacher-bank build rate for the seed's outputs (logits, maps, IG masks), views/s
     * @param latencyMs       student batch-1 latency, median
     * @param peakGflops      float32 matrix-product rate measured at start-up
     * @param studentStepMs   where a student step's time goes: forward (with the loss), backward and optimizer,
     *                        medians in milliseconds
     * @param methods         per preset asked for: its step online and from a bank, and each as a multiple of the
     *                        time of a student-only step
     */
    public record Result(int width, int batchSize, int igSteps, String device, Map<String, Rate> steps,
            Double bankViewsPerSec, double latencyMs, double peakGflops, double studentForwardGflop,
            Map<String, Double> studentStepMs, Map<String, String> versions, Map<String, MethodCost> methods) {}

    /**
     * One preset's training step.
     *
     * @param online      images/s with the teacher run in the step
     * @param bank        images/s reading the teacher's signals from a bank
     * @param onlineCost  a step's time over a student-only step's, online
     * @param bankCost    the same from the bank
     * @param methodParams learnable scalars the method trains beside the student
     */
    public record MethodCost(Rate online, Rate bank, double onlineCost, double bankCost, long methodParams) {}

    /** Evaluation batch, as in {@code TrainingRun}. */
    static final int EVAL_BATCH = 256;
    /** Timed batch-1 forward passes behind the latency figure. */
    static final int LATENCY_RUNS = 200;

    private Bench() {}

    public static Result run(Options o, Consumer<String> log) {
        Device device = Devices.resolve(o.device());
        Engine.getInstance().setRandomSeed(1);
        Map<String, Rate> steps = new LinkedHashMap<>();
        Map<String, MethodCost> methods = new LinkedHashMap<>();
        double bankViewsPerSec;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            double peak = peakGflops(manager);
            log.accept(String.format(java.util.Locale.ROOT, "peak (float32 matrix product): %.1f GFLOP/s", peak));
            NDArray images = manager.randomNormal(new Shape(o.batchSize(), 3, 32, 32));
            NDArray labels = manager.randomInteger(0, 10, new Shape(o.batchSize()), DataType.INT32);

            Network teacherNet = Models.createInitialized(new ModelSpec("resnet50-cbam", o.width(), 10, 3), manager, 32, 32);
            SavedModel.Info info = new SavedModel.Info("resnet50-cbam", o.width(), 10, 3, 32, 32,
                    new float[] {0, 0, 0}, new float[] {1, 1, 1}, null, "synthetic");
            Teacher teacher = new Teacher(teacherNet, info, manager);

            double studentFlops;
            try (NDManager sub = manager.newSubManager()) {
                studentFlops = Models.createInitialized(new ModelSpec("resnet18", o.width(), 10, 3), sub, 32, 32)
                        .flops(32, 32);
            }
            log.accept(String.format(java.util.Locale.ROOT, "student (ResNet18 w%d) forward: %.3f GFLOP per image",
                    o.width(), studentFlops / 1e9));
            steps.put("student", trainStep(o, manager, images, labels, TrainObjective.hardLabels(), log, "student")
                    .withFlops(3 * studentFlops, peak));
            Map<String, Double> phases = studentPhases(o, manager, images, labels);
            log.accept(String.format(java.util.Locale.ROOT, "student step phases (median ms): forward %.1f, "
                    + "backward %.1f, optimizer %.1f", phases.get("forward"), phases.get("backward"),
                    phases.get("optimizer")));
            steps.put("teacherForward", time(o, images, log, "teacherForward", () -> {
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = images.duplicate();
                    x.attach(step);
                    teacher.outputs(x, labels, Set.of(new Signal.Logits())).logits().getFloat(0, 0);
                }
            }));
            PairShapes pair = new PairShapes(PairShapes.Net.probe(Models.createInitialized(
                    new ModelSpec("resnet18", o.width(), 10, 3), manager, 32, 32), manager, 32, 32),
                    PairShapes.Net.probe(teacherNet, manager, 32, 32));
            steps.put("kd", trainStep(o, manager, images, labels,
                    new DistillObjective(teacher, Methods.bind(Methods.preset("kd"), pair)), log, "kd"));
            MethodConfig seed = Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", o.igSteps()));
            steps.put("seedOnline", trainStep(o, manager, images, labels,
                    new DistillObjective(teacher, Methods.bind(seed, pair)), log, "seedOnline"));

            // The bank: the seed's teacher outputs for max(batch, one build batch) synthetic images, one view each,
            // then the seed step reading them instead of running the teacher.
            int bankImages = Math.max(o.bankImages(), Math.max(o.batchSize(), TeacherBank.BUILD_BATCH));
            ImageDataset bankData = SyntheticDataset.generate(bankImages, 10, 3, 32, 7);
            Set<Signal> needs = new TreeSet<>(Methods.bind(seed, pair).teacherSignals());
            Map<String, MethodConfig> costed = new LinkedHashMap<>();
            for (String name : o.methods()) {
                MethodConfig m = Methods.preset(name);
                if (m.labelsOnly()) {
                    continue;
                }
                costed.put(name, name.equals("seed") ? seed : m);
                needs.addAll(Methods.bind(costed.get(name), pair).teacherSignals());
            }
            TeacherBank.Key key = TeacherBank.Key.of("bench-" + o.width(), bankData, new Augmentation(4, true),
                    new TeacherBankConfig(1, 0, TeacherBankConfig.FP16), needs);
            Path bankDir = Files.createTempDirectory("distill4j-bench-bank");
            try {
                long t0 = System.nanoTime();
                TeacherBank bank = TeacherBank.openOrBuild(bankDir, key, teacher, bankData, new Augmentation(4, true),
                        new float[] {0, 0, 0}, new float[] {1, 1, 1}, manager, tenths(log));
                bankViewsPerSec = bankImages / ((System.nanoTime() - t0) / 1e9);
                log.accept(String.format(java.util.Locale.ROOT, "%-15s %9.1f views/s (%d views, %.1f MB)", "bankBuild",
                        bankViewsPerSec, bankImages, bank.sizeBytes() / 1e6));
                int[] indices = new int[o.batchSize()];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = i;
                }
                int[] views = new int[o.batchSize()];
                DistillObjective fromBank = new DistillObjective(bank, Methods.bind(seed, pair), bank.schedule(), "bank");
                steps.put("seedBank", trainStep(o, manager, images, labels, fromBank, indices, views, log, "seedBank")
                        .withFlops(3 * studentFlops, peak));
                double studentRate = steps.get("student").imagesPerSec();
                int[] bankLabels = bankData.labels();
                for (Map.Entry<String, MethodConfig> e : costed.entrySet()) {
                    Method online = Methods.bind(e.getValue(), pair);
                    Rate a = trainStep(o, manager, images, labels, new DistillObjective(teacher, online), indices,
                            views, bankLabels, log, e.getKey() + " online");
                    Rate b = trainStep(o, manager, images, labels, new DistillObjective(bank,
                            Methods.bind(e.getValue(), pair), bank.schedule(), "bank"), indices, views, bankLabels, log,
                            e.getKey() + " bank");
                    long params = partsCount(online, manager, bankLabels);
                    methods.put(e.getKey(), new MethodCost(a, b, studentRate / a.imagesPerSec(),
                            studentRate / b.imagesPerSec(), params));
                }
            } finally {
                deleteTree(bankDir);
            }

            Network student = Models.createInitialized(new ModelSpec("resnet18", o.width(), 10, 3), manager, 32, 32);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray evalBatch = manager.randomNormal(new Shape(EVAL_BATCH, 3, 32, 32));
            steps.put("eval", time(o, evalBatch, log, "eval", () -> {
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = evalBatch.duplicate();
                    x.attach(step);
                    student.features(ps, x, false).logits().toFloatArray();
                }
            }).withFlops(studentFlops, peak));
            Speed.Result speed = Speed.measure(student, manager, 3, 32, 32, 10, LATENCY_RUNS, 2);
            log.accept(String.format(java.util.Locale.ROOT, "latency (batch 1): median %.2f ms, min %.2f ms over %d "
                    + "runs", speed.medianMs(), speed.minMs(), speed.runs()));
            return new Result(o.width(), o.batchSize(), o.igSteps(), device.toString(), steps, bankViewsPerSec,
                    speed.medianMs(), peak, studentFlops / 1e9, phases, Devices.versions(), methods);
        } catch (IOException e) {
            throw new UncheckedIOException("bench: cannot write its temporary teacher bank", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A fresh ResNet18 student trained step after step on the same batch with the given objective. */
    private static Rate trainStep(Options o, NDManager manager, NDArray images, NDArray labels,
            TrainObjective objective, Consumer<String> log, String name) {
        return trainStep(o, manager, images, labels, objective, null, null, log, name);
    }

    /** As above, for a batch of known training records and views (a teacher bank's). */
    private static Rate trainStep(Options o, NDManager manager, NDArray images, NDArray labels,
            TrainObjective objective, int[] indices, int[] views, Consumer<String> log, String name) {
        return trainStep(o, manager, images, labels, objective, indices, views, null, log, name);
    }

    /** The learnable scalars a method's terms own, created once on the side. */
    private static long partsCount(Method method, NDManager manager, int[] trainLabels) {
        try (NDManager sub = manager.newSubManager()) {
            return method.createParts(new Parts.Context(sub, trainLabels, 10, 1)).parameterCount();
        }
    }

    /** As above; the objective's parts are created (with {@code trainLabels} as the training set) and trained too. */
    private static Rate trainStep(Options o, NDManager manager, NDArray images, NDArray labels,
            TrainObjective objective, int[] indices, int[] views, int[] trainLabels, Consumer<String> log, String name) {
        try (NDManager sub = manager.newSubManager()) {
            Network student = Models.createInitialized(new ModelSpec("resnet18", o.width(), 10, 3), sub, 32, 32);
            List<Parameter> trainable = new ArrayList<>();
            student.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
            int[] known = trainLabels != null ? trainLabels : new int[(int) images.getShape().get(0)];
            trainable.addAll(objective.bind(new TrainObjective.Context(sub, known, 10, 1)).trainable());
            TrainObjective.Step at = new TrainObjective.Step(indices, views, 1, 0);
            TrainConfig schedule = org.distill4j.config.Overrides.apply(TrainConfig.defaults(), Map.of("epochs", 1));
            try (SgdMomentum sgd = new SgdMomentum(trainable, 0.9, 5e-4, sub)) {
                Trainer trainer = new Trainer(student, sub, objective, sgd, new LearningRateSchedule(schedule),
                        TrainListener.NONE);
                return time(o, images, log, name, () -> {
                    try (NDManager step = sub.newSubManager()) {
                        NDArray x = images.duplicate();
                        NDArray y = labels.duplicate();
                        x.attach(step);
                        y.attach(step);
                        trainer.trainStep(x, y, at, 0.01f, 0.9f);
                    }
                });
            }
        }
    }

    /**
     * The student step of {@link #trainStep} cut into its phases, each timed on its own: forward with the
     * cross-entropy loss (read back, which waits for it), backward, and the SGD update.
     */
    private static Map<String, Double> studentPhases(Options o, NDManager manager, NDArray images, NDArray labels) {
        try (NDManager sub = manager.newSubManager()) {
            Network student = Models.createInitialized(new ModelSpec("resnet18", o.width(), 10, 3), sub, 32, 32);
            List<Parameter> trainable = new ArrayList<>();
            student.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(trainable::add);
            ParameterStore ps = new ParameterStore(sub, false);
            int n = o.warmup() + o.iters();
            double[][] ms = new double[3][o.iters()];
            try (SgdMomentum sgd = new SgdMomentum(trainable, 0.9, 5e-4, sub)) {
                for (int i = 0; i < n; i++) {
                    try (NDManager step = sub.newSubManager()) {
                        NDArray x = images.duplicate();
                        NDArray y = labels.duplicate();
                        x.attach(step);
                        y.attach(step);
                        long t0 = System.nanoTime();
                        long t1;
                        long t2;
                        try (ai.djl.training.GradientCollector collector =
                                Engine.getInstance().newGradientCollector()) {
                            NDArray loss = org.distill4j.loss.CrossEntropy.loss(
                                    student.features(ps, x, true).logits(), y);
                            loss.getFloat();
                            t1 = System.nanoTime();
                            collector.backward(loss);
                            t2 = System.nanoTime();
                        }
                        sgd.step(0.01f);
                        trainable.get(trainable.size() - 1).getArray().sum().getFloat(); // waits for the update
                        long t3 = System.nanoTime();
                        if (i >= o.warmup()) {
                            int k = i - o.warmup();
                            ms[0][k] = (t1 - t0) / 1e6;
                            ms[1][k] = (t2 - t1) / 1e6;
                            ms[2][k] = (t3 - t2) / 1e6;
                        }
                    }
                }
            }
            Map<String, Double> phases = new LinkedHashMap<>();
            String[] names = {"forward", "backward", "optimizer"};
            for (int p = 0; p < 3; p++) {
                phases.put(names[p], median(ms[p]));
            }
            return phases;
        }
    }

    /** Reports a long build's progress to the log at every tenth. */
    private static TrainListener tenths(Consumer<String> log) {
        return new TrainListener() {
            private int last;

            @Override
            public void onProgress(String task, long done, long total, double rate) {
                int tenth = (int) (10 * done / Math.max(1, total));
                if (tenth > last) {
                    last = tenth;
                    log.accept(String.format(java.util.Locale.ROOT, "%s: %,d of %,d (%.1f/s)", task, done, total, rate));
                }
            }
        };
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static Rate time(Options o, NDArray images, Consumer<String> log, String name, Runnable call) {
        int batch = (int) images.getShape().get(0);
        for (int i = 0; i < o.warmup(); i++) {
            call.run();
        }
        double[] seconds = new double[o.iters()];
        for (int i = 0; i < o.iters(); i++) {
            long t0 = System.nanoTime();
            call.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        Rate r = Rate.of(seconds, batch);
        log.accept(String.format(java.util.Locale.ROOT, "%-15s %9.1f images/s (min %.1f, max %.1f; %d calls)", name,
                r.imagesPerSec(), r.min(), r.max(), r.iters()));
        return r;
    }

    /** The best of a few timed 1024x1024 float32 matrix products, in GFLOP/s (2n^3 operations each). */
    static double peakGflops(NDManager manager) {
        int n = 1024;
        try (NDManager sub = manager.newSubManager()) {
            NDArray a = sub.randomNormal(new Shape(n, n));
            NDArray b = sub.randomNormal(new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 12; i++) {
                try (NDManager step = sub.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(step);
                    c.getFloat(0, 0);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (i >= 2) {
                        best = Math.min(best, s);
                    }
                }
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }
}
