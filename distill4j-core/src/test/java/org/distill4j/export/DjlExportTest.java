package org.distill4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.distill4j.data.FashionMnistReader;
import org.distill4j.data.ImageDataset;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DJL model directory of the shipped Fashion-MNIST teacher, loaded by DJL's {@code Criteria} from nothing but
 * the directory (serving.properties names the engine, the block factory and DJL's own image translator), classifies
 * real Fashion-MNIST test images as distill4j's predict does, and mostly correctly.
 */
class DjlExportTest {
    static final Path TEACHER = Path.of("../teachers/fashion-mnist-resnet50-cbam-w16");
    private static final int IMAGES = 40;

    @TempDir
    Path dir;

    @Test
    void criteriaLoadsTheDirectoryAndClassifiesImages() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnistReader.DEBIAN_DIR), "dataset-fashion-mnist not installed");
        ImageDataset test = FashionMnistReader.read(FashionMnistReader.DEBIAN_DIR).test().head(IMAGES);
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(png(test, i));
        }
        Path out = dir.resolve("student");
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlExport.write(SavedModel.load(TEACHER, manager), out);
        }
        assertTrue(Files.isRegularFile(out.resolve("serving.properties")));
        assertTrue(Files.isRegularFile(out.resolve("distill4j-core.jar")) || Files.isDirectory(out.resolve("classes")));

        List<org.distill4j.eval.Predictor.Prediction> ours;
        try (NDManager manager = NDManager.newBaseManager()) {
            ours = org.distill4j.eval.Predictor.open(TEACHER, manager).predict(images, 5);
        }
        Criteria<Path, Classifications> criteria = Criteria.builder().setTypes(Path.class, Classifications.class)
                .optModelPath(out).build();
        int correct = 0;
        try (ZooModel<Path, Classifications> model = criteria.loadModel();
                Predictor<Path, Classifications> predictor = model.newPredictor()) {
            for (int i = 0; i < IMAGES; i++) {
                Classifications c = predictor.predict(images.get(i));
                assertEquals(5, c.topK(5).size());
                Classifications.Classification best = c.best();
                var want = ours.get(i).top().get(0);
                assertEquals(want.className(), best.getClassName(), images.get(i).toString());
                assertEquals(want.probability(), best.getProbability(), 1e-4, images.get(i).toString());
                if (best.getClassName().equals(test.classNames().get(test.label(i)))) {
                    correct++;
                }
            }
        }
        assertTrue(correct >= IMAGES * 8 / 10, "the teacher (91.6% top-1) got " + correct + " of " + IMAGES);
    }

    @Test
    void refusesADirectoryThatHoldsSomethingElse() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        try (NDManager manager = NDManager.newBaseManager()) {
            SavedModel.Loaded teacher = SavedModel.load(TEACHER, manager);
            IOException e = assertThrows(IOException.class, () -> DjlExport.write(teacher, dir));
            assertTrue(e.getMessage().contains("not an exported model directory"), e.getMessage());
        }
        assertEquals(List.of(dir.resolve("notes.txt")), Files.list(dir).toList());
    }

    /** Image i as an 8-bit grey PNG at its own 28x28 size (so no resizing rule is involved). */
    private Path png(ImageDataset data, int i) throws IOException {
        int h = data.height();
        int w = data.width();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, data.images()[i * h * w + y * w + x] & 0xff);
            }
        }
        Path file = dir.resolve("fmnist-" + i + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }
}
