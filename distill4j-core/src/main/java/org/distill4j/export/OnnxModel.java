package org.distill4j.export;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.distill4j.model.Graph;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Errors;

/**
 * An ONNX file that {@link OnnxExport} wrote, run by ONNX Runtime through DJL's OnnxRuntime engine. Its metadata
 * gives back the model's description (class names, normalisation, input size); {@link #logits} runs a batch.
 */
public final class OnnxModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final SavedModel.Info info;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;

    private OnnxModel(Path file, SavedModel.Info info, ZooModel<NDList, NDList> model) {
        this.file = file;
        this.info = info;
        this.model = model;
        this.predictor = model.newPredictor();
    }

    /**
     * Opens an exported file.
     *
     * @throws IOException naming the file when it is missing, is not ONNX, or lacks distill4j's metadata
     */
    public static OnnxModel open(Path file) throws IOException {
        return open(file, Map.of());
    }

    /**
     * Opens an exported file with ONNX Runtime session options as DJL's engine takes them (for example
     * {@code intraOpNumThreads}, {@code optLevel}).
     */
    public static OnnxModel open(Path file, Map<String, String> sessionOptions) throws IOException {
        SavedModel.Info info = describe(file);
        Criteria.Builder<NDList, NDList> builder = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(file).optEngine("OnnxRuntime");
        sessionOptions.forEach(builder::optOption);
        Criteria<NDList, NDList> criteria = builder.build();
        try {
            return new OnnxModel(file, info, criteria.loadModel());
        } catch (MalformedModelException | ModelNotFoundException e) {
            throw new IOException(file + ": ONNX Runtime cannot load it (" + Errors.rootMessage(e) + ")", e);
        }
    }

    /** The model's description, read from the file's metadata (no weights are loaded). */
    public static SavedModel.Info describe(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such ONNX file");
        }
        Onnx.ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            proto = Onnx.ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new IOException(file + ": not an ONNX model (no graph in it)");
        }
        Map<String, String> meta = new HashMap<>();
        proto.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
        if (!meta.containsKey(OnnxExport.CLASSES) || !meta.containsKey(OnnxExport.INPUT_SIZE)) {
            throw new IOException(file + ": an ONNX model without distill4j's metadata (" + OnnxExport.CLASSES
                    + ", " + OnnxExport.INPUT_SIZE + "); predict reads files written by `distill4j export`");
        }
        try {
            int[] size = JSON.readValue(meta.get(OnnxExport.INPUT_SIZE), int[].class);
            String[] names = JSON.readValue(meta.get(OnnxExport.CLASSES), String[].class);
            int numClasses = names != null ? names.length
                    : (int) proto.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue();
            List<String> classes = names != null ? List.of(names)
                    : java.util.stream.IntStream.range(0, numClasses).mapToObj(c -> "class " + c).toList();
            float[] mean = JSON.readValue(meta.get(OnnxExport.MEAN), float[].class);
            float[] std = JSON.readValue(meta.get(OnnxExport.STD), float[].class);
            String name = JSON.readValue(meta.get(OnnxExport.MODEL), String.class);
            String dataset = JSON.readValue(meta.getOrDefault(OnnxExport.DATASET, "null"), String.class);
            return new SavedModel.Info(name, 0, classes.size(), size[0], size[1], size[2], mean, std, classes,
                    dataset);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": malformed distill4j metadata (" + e.getMessage() + ")", e);
        }
    }

    /** Where the model was read from. */
    public Path file() {
        return file;
    }

    /** Class names, normalisation and input size, as exported. */
    public SavedModel.Info info() {
        return info;
    }

    /**
     * Runs a batch.
     *
     * @param x normalised images {@code (B, C, H, W)}, in any manager
     * @return the logits {@code (B, K)}, in x's manager
     */
    public NDArray logits(NDArray x) {
        try (NDManager ort = model.getNDManager().newSubManager()) {
            NDArray input = ort.create(x.toFloatArray(), x.getShape());
            input.setName(Graph.INPUT);
            NDArray out = predictor.predict(new NDList(input)).singletonOrThrow();
            return x.getManager().create(out.toFloatArray(), new Shape(x.getShape().get(0), info.numClasses()));
        } catch (TranslateException e) {
            throw new IllegalStateException(file + ": ONNX Runtime failed on a batch of shape " + x.getShape()
                    + " (" + Errors.rootMessage(e) + ")", e);
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
