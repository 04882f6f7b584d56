package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dataDir;

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.load("mnist", dataDir));
        assertTrue(e.getMessage().contains("mnist") && e.getMessage().contains("cifar10, cifar100, fashion-mnist, folder, synthetic"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.defaultAugmentation("imagenet"));
    }

    @Test
    void syntheticLoadsWithTheDocumentedDefaults() {
        DataSplit s = Datasets.load("synthetic", dataDir);
        assertEquals(2000, s.train().size());
        assertEquals(500, s.test().size());
        assertEquals(3, s.train().channels());
        assertEquals(32, s.train().height());
        assertEquals(10, s.train().numClasses());
        assertEquals(s.train().sha256(), Datasets.load("synthetic", dataDir).train().sha256());
        Datasets.download("synthetic", dataDir, ProgressListener.none()); // nothing to fetch
        assertTrue(Datasets.verify("synthetic", dataDir).contains("synthetic"));
    }

    @Test
    void cifarLoadsFromTheCifar10SubdirectoryAndVerifyWarnsWhenSmall() throws IOException {
        TestFiles.writeCifar(dataDir.resolve("cifar10").resolve(CifarFormat.CIFAR10.subdir()), 2, 3);
        assertEquals(3, Datasets.load("cifar10", dataDir).test().size());
        String summary = Datasets.verify("cifar10", dataDir);
        assertTrue(summary.contains("10 train / 3 test") && summary.contains("WARNING"), summary);
    }

    @Test
    void cifarVerifyOnEmptyDirSaysWhatToDo() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.verify("cifar10", dataDir));
        assertTrue(e.getMessage().contains("distill4j data download cifar10"), e.getMessage());
    }

    @Test
    void defaultAugmentationPerDataset() {
        assertEquals(new Augmentation(4, true), Datasets.defaultAugmentation("cifar10"));
        assertEquals(new Augmentation(4, true), Datasets.defaultAugmentation("cifar100"));
        assertEquals(new Augmentation(4, true), Datasets.defaultAugmentation("folder"));
        assertEquals(new Augmentation(4, false), Datasets.defaultAugmentation("fashion-mnist"));
        assertEquals(new Augmentation(4, false), Datasets.defaultAugmentation("synthetic"));
        assertTrue(Datasets.defaultDataDir().endsWith(Path.of(".distill4j", "data")));
    }

    @Test
    void cifar100LoadsFromItsSubdirectoryWithFineOrCoarseLabels() throws IOException {
        TestFiles.writeCifar(CifarFormat.CIFAR100, dataDir.resolve("cifar100"), 4, 2);
        DataSplit fine = Datasets.load("cifar100", dataDir);
        assertEquals(100, fine.train().numClasses());
        assertEquals(TestFiles.cifarLabel(CifarFormat.CIFAR100, 1, 0, 3), fine.train().label(3));
        DataSplit coarse = Datasets.load("cifar100", dataDir, new DataOptions(32, "coarse", false, 0.1));
        assertEquals(20, coarse.train().numClasses());
        assertEquals(TestFiles.cifarLabel(CifarFormat.CIFAR100, 0, 0, 3), coarse.train().label(3));
        String summary = Datasets.verify("cifar100", dataDir, new DataOptions(32, "coarse", false, 0.1));
        assertTrue(summary.contains("4 train / 2 test") && summary.contains("20 classes (coarse labels)")
                && summary.contains("WARNING"), summary);
    }

    @Test
    void coarseLabelsAreRefusedForEveryOtherDataset() {
        DataOptions coarse = new DataOptions(32, "coarse", false, 0.1);
        for (String name : new String[] {"cifar10", "fashion-mnist", "folder", "synthetic"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Datasets.load(name, dataDir, coarse), name);
            assertTrue(e.getMessage().contains("only for cifar100") && e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void folderHasNothingToDownload() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.download("folder", dataDir, ProgressListener.none()));
        assertTrue(e.getMessage().contains("nothing to download for folder"), e.getMessage());
    }

    @Test
    void folderLoadsAndVerifiesThroughTheRegistryWithTheDefaultCacheUnderUserHome() throws IOException {
        Path images = dataDir.resolve("pets");
        for (String cls : new String[] {"cat", "dog"}) {
            for (int i = 0; i < 3; i++) {
                TestFiles.writeImage(images.resolve("train/" + cls + "/" + i + ".png"),
                        TestFiles.solid(8 + i, 8, cls.equals("cat") ? 0x102030 : 0xA0B0C0));
            }
        }
        String home = System.getProperty("user.home");
        System.setProperty("user.home", dataDir.resolve("home").toString()); // keep the test's cache out of ~
        try {
            DataSplit split = Datasets.load("folder", images);
            assertEquals(java.util.List.of("cat", "dog"), split.train().classNames());
            assertEquals("folder", split.train().name());
            assertEquals(4, split.train().size()); // one of each class's three held out
            assertEquals(2, split.test().size());
            assertTrue(Files.isDirectory(dataDir.resolve("home/.distill4j/cache/folders")));
            String summary = Datasets.verify("folder", images, new DataOptions(16, "fine", false, 0.1));
            assertTrue(summary.contains("2 classes, 4 train / 2 val images") && summary.contains("3x16x16")
                    && summary.contains("cat: 2 train / 1 val") && summary.contains("0 skipped"), summary);
        } finally {
            System.setProperty("user.home", home);
        }
    }
}
