package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.regex.Pattern;
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
    private static final Pattern IMG = Pattern.compile("<img\\b[^>]*>");
    static final List<String> CLASSES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine");
    static final TrainConfig STUDENT = Overrides.apply(TrainConfig.defaults(), Map.of("model", "resnet18", "width", 4,
            "dataset", "synthetic", "epochs", 1, "trainSubset", 50, "testSubset", 60, "device", "cpu"));

    @TempDir
    static Path dir;
    static NDManager manager;
    static Path teacherModel;
    static Path wrnTeacherModel;

    @BeforeAll
    static void saveModels() throws Exception {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
        teacherModel = dir.resolve("teacher-model");
        save(teacherModel, "resnet18", 4);
        wrnTeacherModel = dir.resolve("wrn-teacher-model");
        save(wrnTeacherModel, "wrn-16-2", 0);
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
                    assertStageMaps(f, 4, 4);
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
    void aThreeStageTeacherAndStudentShowThreeMapsEachAndTheReportNamesThemWithoutWidth() throws Exception {
        // the seed variant names IG stage 4, which a WRN does not have: its last stage, 3, is explained instead
        Path root = experiment("three-stages", wrnTeacherModel, "resnet8", 0, 4);
        Json.writeJson(new ExperimentLayout(root).teacherMetrics(), new Metrics("wrn-16-2", 5000, 20000, 0.2, 0.2,
                1, 100, 1, 1, "synthetic", "teacher", 0, 1, 50, 60, 1, "cpu()"));
        ExperimentResults results = ExperimentResults.load(root);
        List<ReportSection> sections = Insights.sections(results, manager);

        ReportSection attention = sections.get(1);
        assertEquals(SAMPLES, attention.figures().size(), attention.text());
        for (Figure f : attention.figures()) {
            assertStageMaps(f, 3, 3);
            assertTrue(f.caption().contains("the teacher's attention at stages 1-3 and its IG mask")
                    && f.caption().contains("at stages 1-3; stages 1-3 are paired"), f.caption());
        }
        String text = attention.text();
        assertTrue(text.contains("Teacher and student both have 3 stages"), text);
        assertTrue(text.contains("stage-3 features") && text.contains("it names stage 4, which this 3-stage teacher"),
                text);

        Report.write(results, sections);
        String html = Files.readString(results.layout().reportHtml());
        assertTrue(html.contains(">Teacher (wrn-16-2)</td>"), "teacher row labelled by its name alone");
        assertTrue(html.contains("resnet8 on synthetic"), "the students' model, without a width");
        assertFalse(html.contains(" w0") || html.contains("width 0"), "no width 0 printed");
        assertEquals(2 + SAMPLES * 2, ReportTest.matches(IMG, html, 0).size(), "charts, soft targets, attention");
    }

    @Test
    void aFourStageTeacherAndAThreeStageStudentPairOnlyStagesOneToThree() throws Exception {
        Path root = experiment("four-and-three", teacherModel, "shufflenetv2-0.5x", 0, 3);
        ReportSection attention = Insights.sections(ExperimentResults.load(root), manager).get(1);

        assertEquals(SAMPLES, attention.figures().size(), attention.text());
        for (Figure f : attention.figures()) {
            assertStageMaps(f, 4, 3);
            assertTrue(f.caption().contains("the teacher's attention at stages 1-4 and its IG mask")
                    && f.caption().contains("(variant seed, seed 1) at stages 1-3; stages 1-3 are paired"), f.caption());
        }
        String text = attention.text();
        assertTrue(text.contains("The teacher has 4 stages and the student 3, so only stages 1-3 are paired"), text);
        assertTrue(text.contains("the teacher's stage 4 has no partner"), text);
        assertTrue(Pattern.compile("averaged over the images shown: stage 1 \\d\\.\\d\\d, stage 2 \\d\\.\\d\\d, "
                + "stage 3 \\d\\.\\d\\d\\.").matcher(text).find(), "one mean cosine per paired stage: " + text);
    }

    @Test
    void aThreeStageTeacherAndAFourStageStudentPairOnlyStagesOneToThree() throws Exception {
        Path root = experiment("three-and-four", wrnTeacherModel, "resnet18", 4, 3);
        ReportSection attention = Insights.sections(ExperimentResults.load(root), manager).get(1);

        assertEquals(SAMPLES, attention.figures().size(), attention.text());
        for (Figure f : attention.figures()) {
            assertStageMaps(f, 3, 4);
            assertTrue(f.caption().contains("at stages 1-4; stages 1-3 are paired"), f.caption());
        }
        assertTrue(attention.text().contains("the student's stage 4 has no partner"), attention.text());
    }

    /**
     * An attention figure has a column each for the input, the stages of the deeper network and the IG mask; a
     * network's row has a map in each stage column up to its own stage count (the teacher's also the mask), and
     * nothing drawn in the tile area of the others.
     */
    static void assertStageMaps(Figure f, int teacherStages, int studentStages) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(f.png()));
        int stages = Math.max(teacherStages, studentStages);
        assertEquals(AttentionSection.x(stages + 2) + AttentionSection.BAR, image.getWidth(),
                f.file() + ": input, " + stages + " stage columns, IG mask and the colour bar");
        for (int c = 1; c <= stages + 1; c++) {
            assertEquals(c <= teacherStages || c == stages + 1, drawn(image, c, 0), f.file() + " teacher column " + c);
            assertEquals(c <= studentStages, drawn(image, c, 1), f.file() + " student column " + c);
        }
    }

    /** Whether a tile is drawn in that cell: its corner is not the white background (viridis has no white). */
    private static boolean drawn(BufferedImage image, int column, int row) {
        return (image.getRGB(AttentionSection.x(column) + 3, AttentionSection.y(row) + 3) & 0xFFFFFF) != 0xFFFFFF;
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

    /** An experiment directory with the resnet18 teacher and, optionally, a finished resnet18 student of seed. */
    static Path experiment(String name, boolean withStudent) throws Exception {
        return experiment(name, teacherModel, withStudent ? "resnet18" : null, 4, 3);
    }

    /**
     * An experiment directory with a copy of a saved teacher model and, unless {@code student} is null, one finished
     * student run of variant seed: an untrained {@code student} of base width {@code width} (0 for the families
     * whose width is in their name). Variant seed's IG mask explains teacher stage {@code causalStage}.
     */
    static Path experiment(String name, Path teacherModel, String student, int width, int causalStage)
            throws Exception {
        Path root = dir.resolve(name);
        ExperimentLayout layout = new ExperimentLayout(root);
        Path teacher = root.resolve("teacher-model");
        Files.createDirectories(teacher);
        for (String f : List.of(SavedModel.INFO, SavedModel.PARAMETERS)) {
            Files.copy(teacherModel.resolve(f), teacher.resolve(f));
        }
        TrainConfig students = student == null ? STUDENT
                : Overrides.apply(STUDENT, Map.of("model", student, "width", width));
        Variant seed = new Variant("seed", Methods.withOverrides(Methods.preset("seed"), Map.of("igSteps", 4,
                "causalStage", causalStage)), students);
        Variant labels = new Variant("student-only", Methods.preset("student-only"), students);
        ExperimentConfig config = new ExperimentConfig(name, "a test", new TeacherStage(null, null, teacher.toString(),
                null), students, List.of(1L), List.of(labels, seed), new ExperimentConfig.ReportOptions(SAMPLES));
        Json.writeYaml(layout.experimentFile(), config);
        if (student != null) {
            Path run = layout.studentRun("seed", 1);
            save(run.resolve("model"), student, width);
            Json.writeJson(run.resolve("metrics.json"), new Metrics(student, 1000, 4000, 0.1, 0.1, 1, 100, 1, 1,
                    "synthetic", "seed", width, 1, 50, 60, 1, "cpu()"));
        }
        return root;
    }

    private static Path teacherModelOf(Path root) {
        return root.resolve("teacher-model");
    }

    /** Saves an untrained network for the synthetic 3x32x32 images of 10 classes. */
    static void save(Path modelDir, String model, int width) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            SavedModel.save(modelDir, Models.createInitialized(new ModelSpec(model, width, 10, 3), m, 32, 32),
                    new SavedModel.Info(model, width, 10, 3, 32, 32, new float[] {0.3f, 0.3f, 0.3f},
                            new float[] {0.25f, 0.25f, 0.25f}, CLASSES, "synthetic"));
        }
    }

    private static String size(BufferedImage image) {
        return image.getWidth() + "x" + image.getHeight();
    }
}
