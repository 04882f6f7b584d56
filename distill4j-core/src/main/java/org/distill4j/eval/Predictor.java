package org.distill4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.ImageFiles;
import org.distill4j.model.SavedModel;

/**
 * Classifies image files with a trained model: each PNG or JPEG is resized and normalised as the model's training
 * data was ({@link ImageFiles}, the model's own mean and std from {@code model.json}), run through the network in
 * inference mode, and ranked by softmax probability.
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager()) {
 *     Predictor predictor = Predictor.open(Path.of("runs/my-run"), manager);
 *     for (Predictor.Prediction p : predictor.predict(List.of(Path.of("shoe.png")), 5)) {
 *         System.out.println(p.image() + " " + p.top().get(0));
 *     }
 * }
 * }</pre>
 */
public final class Predictor {
    private static final int BATCH = 64;

    /** One class and its probability. */
    public record Ranked(String className, double probability) {}

    /** The most probable classes of one image, most probable first. */
    public record Prediction(Path image, List<Ranked> top) {}

    private final SavedModel.Loaded model;
    private final NDManager manager;

    public Predictor(SavedModel.Loaded model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    /** Loads the model of a run directory, or a saved model directory itself. */
    public static Predictor open(Path runOrModelDir, NDManager manager) throws IOException {
        return new Predictor(SavedModel.load(SavedModel.modelDir(runOrModelDir), manager), manager);
    }

    public SavedModel.Info info() {
        return model.info();
    }

    /**
     * @param images PNG or JPEG files of any size
     * @param k      how many classes to keep per image (fewer when the model has fewer)
     * @throws org.distill4j.data.DatasetException naming the first file that cannot be read, before any is classified
     */
    public List<Prediction> predict(List<Path> images, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        SavedModel.Info info = model.info();
        if (info.height() != info.imageWidth()) {
            throw new IllegalStateException("the model takes " + info.height() + "x" + info.imageWidth()
                    + " inputs; only square inputs are supported");
        }
        int size = info.height();
        int plane = info.channels() * size * size;
        byte[] pixels = new byte[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(ImageFiles.read(images.get(i), size, info.channels()), 0, pixels, i * plane, plane);
        }
        List<String> names = classNames(info);
        ImageDataset dataset = new ImageDataset("images", pixels, new int[images.size()], info.channels(), size, size,
                names);
        float[][] probabilities = new float[images.size()][];
        ParameterStore ps = new ParameterStore(manager, false);
        try (BatchLoader loader = BatchLoader.builder().setDataset(dataset).setBatchSize(BATCH)
                .optNormalization(info.mean(), info.std()).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDList x = batch.toNDList(step);
                    NDArray p = model.network().features(ps, x.get(0), false).logits().softmax(1);
                    float[] flat = p.toFloatArray();
                    int classes = flat.length / batch.batchSize();
                    for (int b = 0; b < batch.batchSize(); b++) {
                        probabilities[batch.indices()[b]] = Arrays.copyOfRange(flat, b * classes, (b + 1) * classes);
                    }
                }
            }
        }
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            float[] p = probabilities[i];
            List<Ranked> top = IntStream.range(0, p.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -p[c]).thenComparingInt(c -> c)).limit(k)
                    .map(c -> new Ranked(names.get(c), p[c])).toList();
            out.add(new Prediction(images.get(i), top));
        }
        return out;
    }

    /** The model's class names, or "class N" when it was saved without them. */
    private static List<String> classNames(SavedModel.Info info) {
        if (info.classNames() != null && info.classNames().size() == info.numClasses()) {
            return info.classNames();
        }
        return IntStream.range(0, info.numClasses()).mapToObj(c -> "class " + c).toList();
    }
}
