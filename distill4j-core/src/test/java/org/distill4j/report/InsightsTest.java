package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Methods;
import org.distill4j.distill.Teacher;
import org.distill4j.eval.Metrics;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentLayout;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.TeacherStage;
import org.distill4j.experiment.Variant;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Json;
import org.distill4j.train.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny experiment written to disk without training (untrained networks), explained by Insights. */
class InsightsTest {
    static final int SAMPLES = 3;
    static final List<String> CLASSES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine");
    static final TrainConfig STUDENT = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4,
            "dataset", "synthetic", "epochs", 1, "trainSubset", 50, "testSubset", 60, "device", "cpu"));

    @TempDir
    static Path dir;
    static NDManager manager;
    static Path teacherModel;

    @BeforeAll
    static void saveModels() throws Exception {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
        teacherModel = dir.resolve("teacher-model");
        save(teacherModel);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void twoSectionsWithOneReadableFigurePerImage() throws Exception {
        Path root = experiment("full", true);
        List<ReportSection> sections = Insights.sections(ExperimentResults.load(root), manager);

        assertEquals(List.of("Why soft targets help", "Where the models look"),
                sections.stream().map(ReportSection::title).toList());
        Set<String> files = new HashSet<>();
        for (ReportSection s : sections) {
            assertEquals(SAMPLES, s.figures().size(), s.title() + ": " + s.text());
            for (Figure f : s.figures()) {
                assertTrue(files.add(f.file()), "file names must be unique: " + f.file());
                assertTrue(f.file().endsWith(".png") && !f.caption().isBlank(), f.file());
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(f.png()));
                assertNotNull(image, f.file() + " is not a PNG");
                if (s == sections.get(0)) { // the 4x image beside a 660x380 chart
                    assertTrue(image.getWidth() >= 660 + 128 && image.getHeight() >= 380, f.file() + " " + size(image));
                } else { // 6 tiles of 96 pixels in 2 rows
                    assertTrue(image.getWidth() >= 6 * 96 && image.getHeight() >= 2 * 96, f.file() + " " + size(image));
                    assertTrue(image.getWidth() < 1200 && image.getHeight() < 400, f.file() + " " + size(image));
                }
            }
        }
        assertTrue(sections.get(0).text().contains("At T = 1 the teacher says"), sections.get(0).text());
        assertTrue(sections.get(0).text().contains("T = 4"), sections.get(0).text());
        String attention = sections.get(1).text();
        assertTrue(attention.contains("variant seed, seed 1") && attention.contains("stage-3 features"), attention);
        assertTrue(attention.contains("cosine similarity"), attention);
    }

    @Test
    void softTargetsOfTheFirstImageSumToOneAndSpreadAsTRises() throws Exception {
        ImageDataset test = TrainingRun.loadData(STUDENT).test();
        try (NDManager models = manager.newSubManager()) {
            SavedModel.Loaded loaded = SavedModel.load(teacherModel, models);
            Teacher teacher = new Teacher(loaded.network(), loaded.info(), models);
            float[] logits = ModelProbe.choose(teacher, test, SAMPLES, models).get(0).teacherLogits();
            double previous = -1;
            for (double t : SoftTargetSection.TEMPERATURES) {
                double[] p = SoftTargetSection.probabilities(logits, t);
                assertEquals(1.0, java.util.Arrays.stream(p).sum(), 1e-9, "T = " + t);
                double h = SoftTargetSection.entropyBits(p);
                assertTrue(h > previous, "entropy at T = " + t + " is " + h + ", not above " + previous);
                previous = h;
            }
        }
    }

    @Test
    void probabilitiesAndEntropyByHand() {
        // softmax([0, ln 3]) = [1/4, 3/4]; at T = 2 the logits halve: [1, sqrt 3] / (1 + sqrt 3)
        float ln3 = (float) Math.log(3);
        double[] p = SoftTargetSection.probabilities(new float[] {0, ln3}, 1);
        assertEquals(0.25, p[0], 1e-6);
        assertEquals(0.75, p[1], 1e-6);
        assertEquals(1 / (1 + Math.sqrt(3)), SoftTargetSection.probabilities(new float[] {0, ln3}, 2)[0], 1e-6);
        assertEquals(1.0, SoftTargetSection.entropyBits(new double[] {0.5, 0.5}), 1e-12);
        assertEquals(0.0, SoftTargetSection.entropyBits(new double[] {1, 0}), 1e-12);
        // no overflow for large logits
        assertEquals(1.0, SoftTargetSection.probabilities(new float[] {1000, 0}, 1)[0], 1e-12);
    }

    @Test
    void colormapRunsFromDarkToBrightMonotonically() {
        assertNotEquals(Colormap.rgb(0), Colormap.rgb(1));
        assertEquals(0x440154, Colormap.rgb(0));
        assertEquals(0xFDE725, Colormap.rgb(1));
        double previous = -1;
        for (int i = 0; i <= 100; i++) { // strictly brighter every 1% of the scale
            double luma = Colormap.luma(Colormap.rgb(i / 100.0));
            assertTrue(luma > previous, "luma falls at " + i / 100.0 + ": " + previous + " -> " + luma);
            previous = luma;
        }
        previous = -1;
        for (int i = 0; i <= 1000; i++) { // and at finer steps never darker by more than 8-bit rounding
            double luma = Colormap.luma(Colormap.rgb(i / 1000.0));
            assertTrue(luma > previous - 1, "luma falls at " + i / 1000.0 + ": " + previous + " -> " + luma);
            previous = Math.max(previous, luma);
        }
        assertTrue(Colormap.luma(Colormap.rgb(1)) - Colormap.luma(Colormap.rgb(0)) > 150);
        assertEquals(Colormap.rgb(0), Colormap.rgb(-3));
        assertEquals(Colormap.rgb(1), Colormap.rgb(7));
    }

    @Test
    void choicePrefersUnsureCorrectImagesOfNewClasses() {
        // logits for 3 classes; probabilities at T=1 noted
        float[] sure0 = {10, 0, 0};        // class 0 at ~100%: correct but near-certain
        float[] unsure0 = {1, 0, 0};       // class 0 at 58%
        float[] unsure1 = {0, 1, 0};       // class 1 at 58%
        float[] wrong2 = {1, 0, 0};        // predicts 0 for a 2
        int[] labels = {0, 0, 0, 1, 2};
        float[][] logits = {sure0, unsure0, unsure0, unsure1, wrong2};
        assertEquals(List.of(1, 3), SampleChoice.choose(labels, logits, 2));
        assertEquals(List.of(1, 3, 2, 0), SampleChoice.choose(labels, logits, 4)); // then a repeat, then certain
        assertEquals(List.of(1, 3, 2, 0, 4), SampleChoice.choose(labels, logits, 9));
        assertTrue(SampleChoice.complete(labels, logits, 2));
        assertTrue(!SampleChoice.complete(labels, logits, 3));
    }

    @Test
    void withoutAFinishedStudentTheTeacherIsShownAlone() throws Exception {
        Path root = experiment("no-student", false);
        List<ReportSection> sections = Insights.sections(ExperimentResults.load(root), manager);
        assertEquals(2, sections.size());
        assertEquals(SAMPLES, sections.get(0).figures().size());
        ReportSection attention = sections.get(1);
        assertTrue(attention.text().contains("No student run has finished"), attention.text());
        for (Figure f : attention.figures()) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(f.png()));
            assertTrue(image.getHeight() < 2 * 96, "one row only: " + size(image));
        }
    }

    @Test
    void withoutATeacherModelTheSectionsSaySo() throws Exception {
        Path root = experiment("no-teacher", true);
        Files.delete(teacherModelOf(root).resolve(SavedModel.PARAMETERS));
        List<ReportSection> sections = Insights.sections(ExperimentResults.load(root), manager);
        assertEquals(2, sections.size());
        for (ReportSection s : sections) {
            assertTrue(s.figures().isEmpty());
            assertTrue(s.text().contains("no teacher model"), s.text());
        }
    }

    /** An experiment directory with a teacher model and, optionally, one finished student run of variant seed. */
    static Path experiment(String name, boolean withStudent) throws Exception {
        Path root = dir.resolve(name);
        ExperimentLayout layout = new ExperimentLayout(root);
        Path teacher = root.resolve("teacher-model");
        Files.createDirectories(teacher);
        for (String f : List.of(SavedModel.INFO, SavedModel.PARAMETERS)) {
            Files.copy(teacherModel.resolve(f), teacher.resolve(f));
        }
        Variant seed = new Variant("seed", Overrides.apply(Methods.preset("seed"), Map.of("igSteps", 4)), STUDENT);
        Variant labels = new Variant("student-only", Methods.preset("student-only"), STUDENT);
        ExperimentConfig config = new ExperimentConfig(name, "a test", new TeacherStage(null, null, teacher.toString(),
                null), STUDENT, List.of(1L), List.of(labels, seed), new ExperimentConfig.ReportOptions(SAMPLES));
        Json.writeYaml(layout.experimentFile(), config);
        if (withStudent) {
            Path run = layout.studentRun("seed", 1);
            save(run.resolve("model"));
            Json.writeJson(run.resolve("metrics.json"), new Metrics("resnet18", 1000, 4000, 0.1, 0.1, 1, 100, 1, 1,
                    "synthetic", "seed", 4, 1, 50, 60, 1, "cpu()"));
        }
        return root;
    }

    private static Path teacherModelOf(Path root) {
        return root.resolve("teacher-model");
    }

    private static void save(Path modelDir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            SavedModel.save(modelDir, Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), m, 32, 32),
                    new SavedModel.Info("resnet18", 4, 10, 3, 32, 32, new float[] {0.3f, 0.3f, 0.3f},
                            new float[] {0.25f, 0.25f, 0.25f}, CLASSES, "synthetic"));
        }
    }

    private static String size(BufferedImage image) {
        return image.getWidth() + "x" + image.getHeight();
    }
}
