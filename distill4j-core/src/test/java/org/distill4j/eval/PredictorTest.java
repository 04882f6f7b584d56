package org.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.distill4j.data.DatasetException;
import org.distill4j.data.ImageFiles;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict: image files give the probabilities the network gives the same pixels normalised by hand; resizing,
 * gray/colour conversion and JPEG follow the training data's rules; unreadable files are named.
 */
class PredictorTest {
    private static final int SIZE = 16;
    private static final float MEAN = 0.3f;
    private static final float STD = 0.25f;
    private static final List<String> NAMES = List.of("ant", "bee", "cat");

    @TempDir
    static Path dir;
    static Path model;
    static int[][] pixels; // [image][y * SIZE + x]

    @BeforeAll
    static void saveModel() throws IOException {
        model = dir.resolve("model");
        try (NDManager m = NDManager.newBaseManager()) {
            Network net = Models.createInitialized(new ModelSpec("resnet18", 8, 3, 1), m, SIZE, SIZE);
            SavedModel.save(model, net, new SavedModel.Info("resnet18", 8, 3, 1, SIZE, SIZE, new float[] {MEAN},
                    new float[] {STD}, NAMES, "synthetic"));
        }
        Random random = new Random(7);
        pixels = new int[3][SIZE * SIZE];
        for (int[] image : pixels) {
            for (int p = 0; p < image.length; p++) {
                image[p] = random.nextInt(256);
            }
        }
    }

    /** softmax(net((v / 255 - mean) / std)) computed here, without the loader. */
    private static float[] expected(int[] image) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SavedModel.Loaded loaded = SavedModel.load(model, m);
            float[] x = new float[image.length];
            for (int p = 0; p < x.length; p++) {
                x[p] = (image[p] / 255f - MEAN) / STD;
            }
            NDArray input = m.create(x, new Shape(1, 1, SIZE, SIZE));
            return loaded.network().features(new ParameterStore(m, false), input, false).logits().softmax(1)
                    .toFloatArray();
        }
    }

    private static Path write(String name, int[] image, int scale, String format, int type) throws IOException {
        BufferedImage out = new BufferedImage(SIZE * scale, SIZE * scale, type);
        for (int y = 0; y < SIZE * scale; y++) {
            for (int x = 0; x < SIZE * scale; x++) {
                int v = image[(y / scale) * SIZE + x / scale];
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    out.getRaster().setSample(x, y, 0, v); // the sample itself (setRGB would apply a gamma)
                } else {
                    out.setRGB(x, y, 0xff000000 | v << 16 | v << 8 | v);
                }
            }
        }
        Path file = dir.resolve(name);
        assertTrue(ImageIO.write(out, format, file.toFile()));
        return file;
    }

    private static void assertProbabilities(float[] expected, Predictor.Prediction p) {
        assertEquals(3, p.top().size());
        double previous = 1;
        for (Predictor.Ranked r : p.top()) {
            assertEquals(expected[NAMES.indexOf(r.className())], r.probability(), 1e-6, r.className());
            assertTrue(r.probability() <= previous, "ranked, most probable first");
            previous = r.probability();
        }
    }

    @Test
    void grayPngsGiveTheNetworksProbabilitiesInOrder() throws IOException {
        List<Path> files = List.of(write("a.png", pixels[0], 1, "png", BufferedImage.TYPE_BYTE_GRAY),
                write("b.png", pixels[1], 1, "png", BufferedImage.TYPE_BYTE_GRAY),
                write("c.png", pixels[2], 1, "png", BufferedImage.TYPE_BYTE_GRAY));
        try (NDManager m = NDManager.newBaseManager()) {
            List<Predictor.Prediction> predictions = Predictor.open(model, m).predict(files, 5);
            assertEquals(3, predictions.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(files.get(i), predictions.get(i).image());
                assertProbabilities(expected(pixels[i]), predictions.get(i));
            }
            assertEquals(1, Predictor.open(dir, m).info().channels()); // a run directory: model/ inside
            assertEquals(1, Predictor.open(model, m).predict(files.subList(0, 1), 1).get(0).top().size());
        }
    }

    @Test
    void largerAndColourImagesAreResizedAndTurnedGrayAsTrainingDataIs() throws IOException {
        // 2x2 blocks of one value box-filter to that value; R = G = B = v has luma v
        Path big = write("big.png", pixels[1], 2, "png", BufferedImage.TYPE_BYTE_GRAY);
        Path rgb = write("rgb.png", pixels[1], 3, "png", BufferedImage.TYPE_INT_RGB);
        try (NDManager m = NDManager.newBaseManager()) {
            List<Predictor.Prediction> p = Predictor.open(model, m).predict(List.of(big, rgb), 5);
            float[] expected = expected(pixels[1]);
            assertProbabilities(expected, p.get(0));
            assertProbabilities(expected, p.get(1));
        }
    }

    @Test
    void colourBecomesLumaAndGrayBecomesThreePlanes() throws IOException {
        BufferedImage red = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                red.setRGB(x, y, 0xff0000 | (x == 0 ? 0xff00 : 0)); // column 0 yellow
            }
        }
        Path file = dir.resolve("red.png");
        ImageIO.write(red, "png", file.toFile());
        byte[] gray = ImageFiles.read(file, 4, 1);
        assertEquals(76, gray[1] & 0xff); // 0.299 * 255 = 76.2
        assertEquals(226, gray[0] & 0xff); // (0.299 + 0.587) * 255 = 225.9
        Path g = write("g.png", pixels[0], 1, "png", BufferedImage.TYPE_BYTE_GRAY);
        byte[] three = ImageFiles.read(g, SIZE, 3);
        for (int c = 0; c < 3; c++) {
            assertEquals(pixels[0][5], three[c * SIZE * SIZE + 5] & 0xff);
        }
    }

    @Test
    void jpegIsReadToo() throws IOException {
        Path jpg = write("a.jpg", pixels[2], 1, "jpeg", BufferedImage.TYPE_BYTE_GRAY);
        try (NDManager m = NDManager.newBaseManager()) {
            Predictor.Prediction p = Predictor.open(model, m).predict(List.of(jpg), 5).get(0);
            assertEquals(1.0, p.top().stream().mapToDouble(Predictor.Ranked::probability).sum(), 1e-5);
        }
    }

    @Test
    void anUnreadableOrMissingImageIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        Path ok = write("ok.png", pixels[0], 1, "png", BufferedImage.TYPE_BYTE_GRAY);
        try (NDManager m = NDManager.newBaseManager()) {
            Predictor predictor = Predictor.open(model, m);
            DatasetException e = assertThrows(DatasetException.class, () -> predictor.predict(List.of(ok, text), 5));
            assertTrue(e.getMessage().startsWith(text.toString()) && e.getMessage().contains("PNG or JPEG"),
                    e.getMessage());
            Path missing = dir.resolve("missing.jpg");
            e = assertThrows(DatasetException.class, () -> predictor.predict(List.of(missing), 5));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }
}
