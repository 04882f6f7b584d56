package org.distill4j.eval;

import ai.djl.MalformedModelException;
import ai.djl.modality.Classifications;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.ImageFiles;
import org.distill4j.export.DjlExport;
import org.distill4j.export.OnnxModel;
import org.distill4j.model.SavedModel;

/**
 * Classifies image files with a trained model, from any of the forms distill4j writes:
 * <ul>
 *   <li>a run or saved model directory: each PNG or JPEG is resized and normalised as the model's training data
 *       was ({@link ImageFiles}, the model's own mean and std from {@code model.json}) and run in inference mode;</li>
 *   <li>an exported ONNX file: the same preprocessing, from the file's metadata, run by ONNX Runtime;</li>
 *   <li>an exported DJL model directory: loaded by DJL's {@code Criteria} and classified by the image translator
 *       its {@code serving.properties} names (DJL's bilinear resize), exactly as a DJL application would.</li>
 * </ul>
 * Probabilities are the softmax of the logits, ranked.
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager();
 *         Predictor predictor = Predictor.open(Path.of("runs/my-run"), manager)) {
 *     for (Predictor.Prediction p : predictor.predict(List.of(Path.of("shoe.png")), 5)) {
 *         System.out.println(p.image() + " " + p.top().get(0));
 *     }
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {
    private static final int BATCH = 64;

    /** One class and its probability. */
    public record Ranked(String className, double probability) {}

    /** The most probable classes of one image, most probable first. */
    public record Prediction(Path image, List<Ranked> top) {}

    private final SavedModel.Info info;
    private final NDManager manager;
    private final UnaryOperator<NDArray> logits; // normalised batch -> logits; null for a DJL directory
    private final ZooModel<Path, Classifications> djl; // non-null for a DJL directory
    private final AutoCloseable owned;

    private Predictor(SavedModel.Info info, NDManager manager, UnaryOperator<NDArray> logits,
            ZooModel<Path, Classifications> djl, AutoCloseable owned) {
        this.info = info;
        this.manager = manager;
        this.logits = logits;
        this.djl = djl;
        this.owned = owned;
    }

    /** A loaded model, run by distill4j itself. */
    public Predictor(SavedModel.Loaded model, NDManager manager) {
        this(model.info(), manager, x -> model.network().features(new ParameterStore(manager, false), x, false)
                .logits(), null, null);
    }

    /**
     * Opens a run directory, a saved model directory, an exported {@code .onnx} file or an exported DJL model
     * directory (one with {@code serving.properties}).
     *
     * @throws IOException naming the path when it is none of these or cannot be read
     */
    public static Predictor open(Path model, NDManager manager) throws IOException {
        if (Files.isRegularFile(model)) {
            OnnxModel onnx = OnnxModel.open(model);
            return new Predictor(onnx.info(), manager, onnx::logits, null, onnx);
        }
        if (!Files.isDirectory(model)) {
            throw new IOException(model + ": no such run directory, model directory or ONNX file");
        }
        if (Files.isRegularFile(model.resolve(DjlExport.SERVING))) {
            SavedModel.Info info = SavedModel.readInfo(model);
            Criteria<Path, Classifications> criteria = Criteria.builder().setTypes(Path.class, Classifications.class)
                    .optModelPath(model).build();
            try {
                ZooModel<Path, Classifications> zoo = criteria.loadModel();
                return new Predictor(info, manager, null, zoo, zoo);
            } catch (MalformedModelException | ModelNotFoundException | RuntimeException e) {
                throw new IOException(model + ": DJL cannot load this model directory (" + e.getMessage() + ")", e);
            }
        }
        return new Predictor(SavedModel.load(SavedModel.modelDir(model), manager), manager);
    }

    public SavedModel.Info info() {
        return info;
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
        if (info.height() != info.imageWidth()) {
            throw new IllegalStateException("the model takes " + info.height() + "x" + info.imageWidth()
                    + " inputs; only square inputs are supported");
        }
        int size = info.height();
        int plane = info.channels() * size * size;
        byte[] pixels = new byte[images.size() * plane];
        for (int i = 0; i < images.size(); i++) { // every file is checked before any is classified
            System.arraycopy(ImageFiles.read(images.get(i), size, info.channels()), 0, pixels, i * plane, plane);
        }
        List<String> names = info.labels();
        float[][] probabilities = djl != null ? classifyWithDjl(images, names) : classify(pixels, names);
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

    private float[][] classify(byte[] pixels, List<String> names) {
        int size = info.height();
        int count = pixels.length / (info.channels() * size * size);
        ImageDataset dataset = new ImageDataset("images", pixels, new int[count], info.channels(), size, size, names);
        float[][] probabilities = new float[count][];
        try (BatchLoader loader = BatchLoader.builder().setDataset(dataset).setBatchSize(BATCH)
                .optNormalization(info.mean(), info.std()).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDList x = batch.toNDList(step);
                    float[] flat = logits.apply(x.get(0)).softmax(1).toFloatArray();
                    int classes = flat.length / batch.batchSize();
                    for (int b = 0; b < batch.batchSize(); b++) {
                        probabilities[batch.indices()[b]] = Arrays.copyOfRange(flat, b * classes, (b + 1) * classes);
                    }
                }
            }
        }
        return probabilities;
    }

    /** DJL's translator gives class names with probabilities; put them back in class order. */
    private float[][] classifyWithDjl(List<Path> images, List<String> names) {
        float[][] probabilities = new float[images.size()][names.size()];
        try (ai.djl.inference.Predictor<Path, Classifications> predictor = djl.newPredictor()) {
            for (int i = 0; i < images.size(); i++) {
                Classifications c = predictor.predict(images.get(i));
                for (Classifications.Classification one : c.items()) {
                    probabilities[i][names.indexOf(one.getClassName())] = (float) one.getProbability();
                }
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("DJL's translator failed: " + e.getMessage(), e);
        }
        return probabilities;
    }


    /** Frees what {@link #open} loaded (an ONNX Runtime session, a DJL model). */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + info.model() + ": " + e.getMessage(), e);
            }
        }
    }
}
