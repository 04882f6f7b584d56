package org.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Methods;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.Test;

/** The experiment files in experiments/ parse, state the seed's recipe, and point at the shipped teacher. */
class ShippedExperimentsTest {
    static final Path DIR = Path.of("..", "experiments");
    static final List<String> SEED_VARIANTS =
            List.of("student-only", "kd", "kd-at", "kd-causal-at", "kd-align", "seed");

    @Test
    void quickStudyLoadsTheShippedTeacherWithItsChecksum() throws IOException {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("fashion-mnist-quick.yaml"));
        assertNotNull(c.teacher().model());
        Path model = Path.of(c.teacher().model());
        assertEquals(SavedModel.sha256(model), c.teacher().sha256(),
                "the sha256 in fashion-mnist-quick.yaml must be that of the shipped parameters.bin");
        assertEquals(SEED_VARIANTS, c.variants().stream().map(Variant::name).toList());
        assertEquals(5, c.seeds().size(), "five seeds: KD's gain must be beyond its error bars");
        assertEquals("fashion-mnist", c.student().dataset());
    }

    @Test
    void methodsStudyHasEveryPresetFromTheShippedTeacher() throws IOException {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("fashion-mnist-methods.yaml"));
        ExperimentConfig quick = ExperimentConfig.load(DIR.resolve("fashion-mnist-quick.yaml"));
        assertEquals(quick.teacher(), c.teacher());
        assertNotNull(c.teacherBank());
        java.util.Set<String> presets = new java.util.TreeSet<>(Methods.names());
        presets.removeAll(List.of("kd-at", "kd-causal-at", "kd-align")); // the demo's ablations of the seed's loss
        assertEquals(presets, new java.util.TreeSet<>(c.variants().stream().map(v -> v.method().name()).toList()));
        assertPresetsFitTheShippedPair(c);
    }

    @Test
    void cpuScaleStudyAsksTheSeedsQuestionWithItsComparisonMethods() throws IOException {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("fashion-mnist-study.yaml"));
        assertEquals(ExperimentConfig.load(DIR.resolve("fashion-mnist-quick.yaml")).teacher(), c.teacher());
        List<String> rows = new java.util.ArrayList<>(SEED_VARIANTS);
        rows.addAll(List.of("at", "h-at", "cckd", "vid", "kdafm", "crd")); // the seed's table without HMAT
        assertEquals(rows, c.variants().stream().map(Variant::name).toList());
        assertTrue(c.seeds().size() >= 5, "at least five seeds");
        TrainConfig s = c.student();
        assertTrue(s.augment(), "crops, through the bank's views");
        assertEquals(s.epochs(), c.teacherBank().views(), "a fresh view per epoch");
        assertEquals("onecycle", s.schedule());
        assertEquals(0, s.testSubset(), "all 10,000 test images");
        assertPresetsFitTheShippedPair(c);
    }

    @Test
    void ensembleStudyDistilsTheShippedMembersAgainstTheBestOfThem() throws IOException {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("fashion-mnist-ensemble.yaml"));
        Path model = Path.of(c.teacher().model());
        assertEquals(SavedModel.sha256(model), c.teacher().sha256(), "the best member's checksum");
        assertEquals(List.of("student-only", "kd-best-member", "kd-ensemble"),
                c.variants().stream().map(Variant::name).toList());
        assertTrue(c.seeds().size() >= 3, "at least three seeds");
        Path ensemble = Path.of(c.variants().get(2).teacher().ensemble());
        org.distill4j.distill.EnsembleTeacher.Spec spec = org.distill4j.distill.EnsembleTeacher.check(ensemble);
        assertEquals(3, spec.members().size());
        double best = -1;
        Path bestMember = null;
        for (Path m : spec.members()) {
            double top1 = org.distill4j.run.Json.readJson(m.resolve("metrics.json"),
                    org.distill4j.eval.Metrics.class).top1();
            if (top1 > best) {
                best = top1;
                bestMember = m;
            }
        }
        assertEquals(bestMember.toAbsolutePath().normalize(), model.toAbsolutePath().normalize(),
                "the study's own teacher is the ensemble's best member");
    }

    @Test
    void bornAgainAndMutualStudiesChainThreeGenerationsAndPairTwoPeersAtTheEnsembleStudysSize() throws IOException {
        ExperimentConfig ensemble = ExperimentConfig.load(DIR.resolve("fashion-mnist-ensemble.yaml"));
        ExperimentConfig born = ExperimentConfig.load(DIR.resolve("fashion-mnist-born-again.yaml"));
        ExperimentConfig mutual = ExperimentConfig.load(DIR.resolve("fashion-mnist-mutual.yaml"));
        for (ExperimentConfig c : List.of(born, mutual)) {
            assertEquals(ensemble.teacher(), c.teacher(), c.name() + ": the best shipped member, checksum checked");
            assertEquals(ensemble.student(), c.student(), c.name() + ": the same students");
            assertEquals(ensemble.seeds(), c.seeds());
        }
        ExperimentConfig trained = ExperimentConfig.load(DIR.resolve("fashion-mnist-ensemble-trained.yaml"));
        assertEquals(3, trained.teacher().members(), "the study trains its three members");
        ExperimentConfig shippedMember = ExperimentConfig.load(DIR.resolve("fashion-mnist-ensemble.yaml"));
        assertEquals(shippedMember.student(), trained.student());
        assertEquals(List.of(1, 2, 3), trained.variants().stream().filter(v -> v.teacher() != null)
                .map(v -> v.teacher().member()).toList(), "each member alone");
        org.distill4j.config.TrainConfig s1 = org.distill4j.run.Json.readYaml(Path.of("..", "teachers",
                "fashion-mnist-resnet18-w16-s1", "config.yaml"), org.distill4j.config.TrainConfig.class);
        assertEquals(java.util.Set.of(), org.distill4j.config.Overrides.differences(s1, trained.teacher()
                .memberConfig(1)).keySet(), "member 1 is trained by the shipped seed-1 member's recipe");
        assertEquals(List.of(0, 1, 2, 3, 0), born.variants().stream().map(born::generation).toList());
        assertEquals(List.of("student-only", "born-again-1", "born-again-2", "born-again-3", "kd-60k-teacher"),
                born.variants().stream().map(Variant::name).toList());
        assertEquals(List.of(1, 2, 1), mutual.variants().stream().map(v -> v.student().peers()).toList());
        assertTrue(mutual.variants().get(0).labelsOnly() && mutual.variants().get(1).labelsOnly());
    }

    @Test
    void teacherFileReproducesTheShippedTeacher() {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("fashion-mnist-teacher.yaml"));
        TrainConfig t = c.teacher().train();
        assertNotNull(t);
        assertEquals("resnet50-cbam", t.model());
        assertEquals(16, t.width());
        assertEquals(0, t.trainSubset(), "trained on every training image");
        assertTrue(c.variants().isEmpty());
    }

    @Test
    void cifarStudyIsTheSeedsRecipe() {
        ExperimentConfig c = ExperimentConfig.load(DIR.resolve("cifar10-seed.yaml"));
        for (TrainConfig t : List.of(c.teacher().train(), c.student())) {
            assertEquals("cifar10", t.dataset());
            assertEquals(64, t.width());
            assertEquals(200, t.epochs());
            assertEquals(128, t.batchSize());
            assertEquals(0.1, t.lr());
            assertEquals(0.9, t.momentum());
            assertEquals(5e-4, t.weightDecay());
            assertEquals("cosine", t.schedule());
            assertTrue(t.augment());
        }
        assertEquals("resnet50-cbam", c.teacher().train().model());
        assertEquals("resnet18", c.student().model());
        assertEquals(SEED_VARIANTS, c.variants().stream().map(Variant::name).toList());
        c.variants().forEach(v -> Methods.kdTemperature(v.method()).ifPresent(t -> assertEquals(4.0, t, v.name())));
        assertEquals(List.of(1L, 2L, 3L), c.seeds());
    }

    @Test
    void hmatTableHasTheSeedsSixPairsAndEveryMethodFitsItsNetworks() {
        ExperimentSuite s = ExperimentSuite.load(DIR.resolve("cifar10-hmat-table.yaml"));
        assertEquals(List.of("resnet34>resnet18", "resnet101>resnet50", "resnet18>shufflenetv2", "wrn-28-10>wrn-16-2",
                "resnet18>resnet18", "shufflenetv2>shufflenetv2"), pairs(s));
        for (ExperimentConfig c : s.studies()) {
            assertEquals(200, c.teacher().train().epochs());
            assertEquals("cifar10", c.student().dataset());
            assertEquals(List.of("student-only", "kd", "at", "h-at", "cckd", "vid", "kdafm", "crd", "hmat", "seed"),
                    c.variants().stream().map(Variant::name).toList(), c.name());
            boolean threeStages = List.of("shufflenetv2", "wrn-16-2").contains(c.student().model());
            assertEquals(threeStages ? List.of(2, 3) : List.of(2, 3, 4),
                    c.variants().get(2).method().term("at").options().get("stages"), c.name());
            assertEveryMethodFits(c);
        }
        assertEquals(Path.of("out", "resnet34-to-resnet18"), s.studyDir(Path.of("out"), s.studies().get(0)));
    }

    @Test
    void cifar100BenchmarkHasItsTwelvePairsWithTheBenchmarksRecipe() {
        ExperimentSuite s = ExperimentSuite.load(DIR.resolve("cifar100-benchmark.yaml"));
        assertEquals(List.of("wrn-40-2>wrn-16-2", "wrn-40-2>wrn-40-1", "resnet56>resnet20", "resnet110>resnet20",
                "resnet110>resnet32", "resnet32x4>resnet8x4", "vgg13>vgg8", // same family
                "vgg13>mobile_half", "resnet50>mobile_half", "resnet32x4>shufflenetv1", "resnet32x4>shufflenetv2",
                "wrn-40-2>shufflenetv1"), pairs(s)); // cross family
        for (ExperimentConfig c : s.studies()) {
            for (TrainConfig t : List.of(c.teacher().train(), c.student())) {
                assertEquals("cifar100", t.dataset());
                assertEquals(240, t.epochs());
                assertEquals(64, t.batchSize());
                assertEquals("multistep", t.schedule());
                assertEquals(List.of(150, 180, 210), t.milestones());
                assertEquals(0.1, t.lrDecay());
                assertEquals(5e-4, t.weightDecay());
                assertEquals(0.9, t.momentum());
                assertTrue(t.augment());
            }
            boolean light = List.of("mobile_half", "shufflenetv1", "shufflenetv2").contains(c.student().model());
            assertEquals(light ? 0.01 : 0.05, c.student().lr(), c.name());
            assertEquals(0.05, c.teacher().train().lr());
            assertEquals(List.of("student-only", "kd", "fitnets", "at", "sp", "cc", "vid", "rkd", "pkt", "nst", "crd",
                    "crd-kd", "dkd"), c.variants().stream().map(Variant::name).toList(), c.name());
            double beta = (double) c.variants().get(12).method().term("dkd").options().get("beta");
            boolean wrnOrVgg = c.name().startsWith("wrn-40-2-to-wrn") || c.name().startsWith("vgg13");
            boolean small = List.of("resnet56-to-resnet20", "resnet110-to-resnet32").contains(c.name());
            assertEquals(wrnOrVgg ? 6 : small ? 2 : 8, beta, c.name() + ": mdistiller's beta");
            assertEveryMethodFits(c);
            assertEquals(List.of(1L, 2L, 3L), c.seeds());
        }
    }

    /** Every variant is its preset unchanged and binds to the shipped pair (ResNet18 w16, ResNet50+CBAM w16, 28x28). */
    private static void assertPresetsFitTheShippedPair(ExperimentConfig c) {
        for (Variant v : c.variants()) {
            assertEquals(Methods.preset(v.method().name()), v.method(), v.name() + ": the preset as it is");
        }
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.distill4j.distill.PairShapes pair = org.distill4j.distill.PairShapes.probe(
                    new ModelSpec("resnet18", 16, 10, 1), new ModelSpec("resnet50-cbam", 16, 10, 1), 28, 28, manager);
            c.variants().forEach(v -> Methods.bind(v.method(), pair));
        }
    }

    private static List<String> pairs(ExperimentSuite s) {
        return s.studies().stream().map(c -> c.teacher().train().model() + ">" + c.student().model()).toList();
    }

    /** Every variant's method binds to the study's teacher and student: what its terms read exists in both. */
    private static void assertEveryMethodFits(ExperimentConfig c) {
        TrainConfig t = c.teacher().train();
        // probing builds both networks (ResNet101, WRN-28-10 at full width): once per student, not per variant
        java.util.Map<ModelSpec, org.distill4j.distill.PairShapes> probed = new java.util.HashMap<>();
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (Variant v : c.variants()) {
                TrainConfig sc = v.student();
                org.distill4j.distill.PairShapes pair = probed.computeIfAbsent(
                        new ModelSpec(sc.model(), sc.width(), 100, 3), student -> org.distill4j.distill.PairShapes
                                .probe(student, new ModelSpec(t.model(), t.width(), 100, 3), 32, 32, manager));
                Methods.bind(v.method(), pair);
            }
        }
    }
}
