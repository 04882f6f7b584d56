package org.distill4j.report;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.distill4j.data.DatasetException;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Methods;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Teacher;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults.SeedRun;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.Variant;
import org.distill4j.model.SavedModel;
import org.distill4j.train.TrainingRun;

/**
 * The report's two model-explaining sections, "Why soft targets help" and "Where the models look", drawn from
 * the experiment's teacher, one of its students and a few of its test images. Nothing is trained; the models run in
 * inference mode. A missing teacher, student or data set gives a section that says what is missing, not an error.
 */
public final class Insights {
    /**
     * IG settings when no variant uses a causal mask: the seed method's stage (3: every network of the zoo has at
     * least 3 stages) and steps, half the positions kept.
     */
    private static final int DEFAULT_IG_STAGE = 3;
    private static final int DEFAULT_IG_STEPS = 16;
    private static final double DEFAULT_IG_TOP = 0.5;
    private static final String SEED = "seed";

    private Insights() {}

    /**
     * One test image the sections explain.
     *
     * @param testIndex     its index in the test set
     * @param label         its true class
     * @param teacherLogits the teacher's logits z for it, (K)
     * @param tier          how well it suits the sections ({@link SampleChoice}), 0 best
     */
    record Sample(int testIndex, int label, float[] teacherLogits, int tier) {}

    /** The student shown beside the teacher, and a sentence saying which it is and why. */
    record StudentPick(String variant, long seed, Path model, String note) {
        String name() {
            return "variant " + variant + ", seed " + seed;
        }
    }

    /**
     * @param manager parent of the sub-managers that hold the models and each forward; all are closed on return
     * @return "Why soft targets help" and "Where the models look", in that order
     */
    public static List<ReportSection> sections(ExperimentResults results, NDManager manager) throws IOException {
        Charts.headless();
        ExperimentConfig config = results.config();
        int count = config.report().samples();
        Path teacherDir = results.teacherModel();
        if (count == 0) {
            return unavailable("The report's samples option is 0, so no test images are shown.");
        }
        if (teacherDir == null || !(isModel(teacherDir) || Teacher.isFile(teacherDir))) {
            return unavailable("There is no teacher model at " + teacherDir + " (expected " + SavedModel.INFO + " and "
                    + SavedModel.PARAMETERS + "): the teacher stage has not finished, so there is nothing to explain.");
        }
        ImageDataset test;
        try {
            test = TrainingRun.loadData(config.student()).test();
        } catch (DatasetException e) {
            return unavailable("The test images could not be loaded: " + e.getMessage());
        }
        try (NDManager models = manager.newSubManager()) {
            Teacher teacher;
            try {
                teacher = Teacher.load(teacherDir, models);
            } catch (IOException e) {
                return unavailable("The teacher model could not be read: " + e.getMessage());
            }
            try (teacher) {
                return sections(results, teacher, test, count, models);
            }
        }
    }

    private static List<ReportSection> sections(ExperimentResults results, Teacher teacher, ImageDataset test,
            int count, NDManager models) throws IOException {
        ExperimentConfig config = results.config();
        Path teacherDir = results.teacherModel();
        SavedModel.Info teacherInfo = teacher.info();
        String mismatch = mismatch(teacherInfo, test);
        if (mismatch != null) {
            return unavailable("The teacher at " + teacherDir + " does not fit the students' test images: "
                    + mismatch);
        }
        List<Sample> samples = ModelProbe.choose(teacher, test, count, models);
        if (samples.isEmpty()) {
            return unavailable("The students' test set is empty.");
        }
        ImageDataset shown = ModelProbe.subset(test, samples);
        List<String> classNames = teacherInfo.classNames() != null
                && teacherInfo.classNames().size() == test.numClasses() ? teacherInfo.classNames()
                : test.classNames();
        ReportSection soft = SoftTargetSection.build(samples, shown, classNames, kdTemperature(config),
                choice(samples, Math.min(test.size(), ModelProbe.SCAN_LIMIT)));
        return List.of(soft, attention(results, teacher, samples, shown, classNames, test, models));
    }

    private static ReportSection attention(ExperimentResults results, Teacher teacher, List<Sample> samples,
            ImageDataset shown, List<String> classNames, ImageDataset test, NDManager models) throws IOException {
        Variant causal = igVariant(results.config());
        int stages = teacher.stageCount();
        Signal.Mask needs = igMask(causal, stages);
        String needsSource = igSource(causal, needs, stages);
        ModelProbe.Views teacherViews = ModelProbe.teacher(teacher, shown, needs, AttentionSection.TILE, models);
        StudentPick pick = pickStudent(results);
        AttentionSection.Student student = null;
        String note;
        if (pick == null) {
            note = "No student run has finished (none under students/ has a metrics.json and a saved model), so "
                    + "only the teacher is shown.";
        } else {
            note = pick.note();
            try {
                SavedModel.Loaded loaded = SavedModel.load(pick.model(), models);
                String mismatch = mismatch(loaded.info(), test);
                if (mismatch != null) {
                    throw new IOException(mismatch);
                }
                ModelProbe.Views views = ModelProbe.student(loaded, shown, AttentionSection.TILE, models);
                student = new AttentionSection.Student(pick.name(), views,
                        StagePairs.of(teacherViews, views, models));
            } catch (IOException e) {
                note = "The student of " + pick.name() + " could not be loaded (" + e.getMessage()
                        + "), so only the teacher is shown.";
            }
        }
        return AttentionSection.build(samples, shown, classNames, teacherViews, student, note, needs, needsSource);
    }

    private static String igSource(Variant causal, Signal.Mask mask, int stages) {
        if (causal == null) {
            return "No variant of this experiment uses a causal mask; these are default settings.";
        }
        int asked = Methods.mask(causal.method()).orElseThrow().stage();
        if (mask.stage() == asked) {
            return "These are the IG settings of variant " + causal.name() + ".";
        }
        return "These are the IG settings of variant " + causal.name() + ", except the stage: it names stage "
                + asked + ", which this " + stages + "-stage teacher does not have, so its last stage is explained.";
    }

    /**
     * The IG mask of the study's causal variant, else the defaults; a causal stage the teacher does not have (a
     * method naming stage 4 with a 3-stage WRN teacher) becomes its last stage, so the report still draws.
     */
    private static Signal.Mask igMask(Variant causal, int stages) {
        if (causal == null) {
            return new Signal.Mask(DEFAULT_IG_STAGE, DEFAULT_IG_STEPS, DEFAULT_IG_TOP);
        }
        Signal.Mask m = Methods.mask(causal.method()).orElseThrow();
        return new Signal.Mask(Math.min(m.stage(), stages), m.steps(), m.top());
    }

    /**
     * The student to show: the first finished seed of the variant named seed (the study's own method); else of the
     * last distilled variant with a finished run; else the first finished run; null if none has finished.
     */
    static StudentPick pickStudent(ExperimentResults results) {
        List<Variant> variants = results.config().variants();
        List<VariantResult> done = results.variants();
        for (int v = 0; v < done.size(); v++) {
            SeedRun run = finished(done.get(v));
            if (run != null && done.get(v).name().equals(SEED)) {
                return pick(variants.get(v), done.get(v), run, "the study's own method");
            }
        }
        for (int v = done.size() - 1; v >= 0; v--) {
            SeedRun run = finished(done.get(v));
            if (run != null && !variants.get(v).labelsOnly()) {
                return pick(variants.get(v), done.get(v), run,
                        "the last distilled variant with a finished run; no run of a variant named seed has finished");
            }
        }
        for (int v = 0; v < done.size(); v++) {
            SeedRun run = finished(done.get(v));
            if (run != null) {
                return pick(variants.get(v), done.get(v), run,
                        "the first finished run; no distilled variant has finished, so this student learnt from "
                                + "labels alone");
            }
        }
        return null;
    }

    private static StudentPick pick(Variant variant, VariantResult result, SeedRun run, String why) {
        return new StudentPick(variant.name(), run.seed(), run.dir().resolve("model"), String.format(Locale.ROOT,
                "The student row is variant %s, seed %d (%s): %s.", variant.name(), run.seed(), result.method(), why));
    }

    private static SeedRun finished(VariantResult variant) {
        return variant.runs().stream().filter(r -> r.metrics() != null && isModel(r.dir().resolve("model")))
                .findFirst().orElse(null);
    }

    /** The variant whose IG settings the mask uses: the one named seed if it is causal, else the first causal one. */
    private static Variant igVariant(ExperimentConfig config) {
        return config.variants().stream().filter(v -> Methods.mask(v.method()).isPresent())
                .min((a, b) -> Boolean.compare(!a.name().equals(SEED), !b.name().equals(SEED))).orElse(null);
    }

    /** The soft-target temperature of the variant named seed, else of the first variant that distils logits. */
    private static Double kdTemperature(ExperimentConfig config) {
        return config.variants().stream().filter(v -> Methods.kdTemperature(v.method()).isPresent())
                .min((a, b) -> Boolean.compare(!SEED.equals(a.name()), !SEED.equals(b.name())))
                .map(v -> Methods.kdTemperature(v.method()).orElseThrow()).orElse(null);
    }

    private static String choice(List<Sample> samples, int scanned) {
        long preferred = samples.stream().filter(s -> s.tier() == SampleChoice.UNSURE_AND_RIGHT).count();
        String band = String.format(Locale.ROOT, "the teacher classifies correctly with a top-1 probability between "
                + "%.0f%% and %.0f%%", 100 * SampleChoice.LOW, 100 * SampleChoice.HIGH);
        if (preferred == samples.size()) {
            return "The images are the first test images " + band + ", one per class where possible (#n is an "
                    + "image's position in the students' test set).";
        }
        return String.format(Locale.ROOT, "%d of the %d images are test images %s; the first %d test images hold no "
                + "more, so the rest are the first images it classifies correctly, else simply the first test images "
                + "(#n is an image's position in the students' test set).",
                preferred, samples.size(), band, scanned);
    }

    private static String mismatch(SavedModel.Info info, ImageDataset test) {
        if (info.channels() != test.channels() || info.height() != test.height() || info.imageWidth() != test.width()
                || info.numClasses() != test.numClasses()) {
            return String.format(Locale.ROOT, "the model takes %dx%dx%d images of %d classes, the test set has "
                    + "%dx%dx%d images of %d classes", info.channels(), info.height(), info.imageWidth(),
                    info.numClasses(), test.channels(), test.height(), test.width(), test.numClasses());
        }
        return null;
    }

    private static boolean isModel(Path dir) {
        return Files.isRegularFile(dir.resolve(SavedModel.INFO))
                && Files.isRegularFile(dir.resolve(SavedModel.PARAMETERS));
    }

    private static List<ReportSection> unavailable(String why) {
        return List.of(new ReportSection(SoftTargetSection.TITLE, why, List.of()),
                new ReportSection(AttentionSection.TITLE, why, List.of()));
    }
}
