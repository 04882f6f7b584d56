package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dataDir;

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.load("mnist", dataDir));
        assertTrue(e.getMessage().contains("mnist") && e.getMessage().contains("cifar10, fashion-mnist, synthetic"),
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
        TestFiles.writeCifar(dataDir.resolve("cifar10").resolve(CifarReader.SUBDIR), 2, 3);
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
        assertEquals(new Augmentation(4, false), Datasets.defaultAugmentation("fashion-mnist"));
        assertEquals(new Augmentation(4, false), Datasets.defaultAugmentation("synthetic"));
        assertTrue(Datasets.defaultDataDir().endsWith(Path.of(".distill4j", "data")));
    }
}
