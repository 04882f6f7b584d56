package org.distill4j.export;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import onnx.Onnx;
import org.distill4j.model.Graph;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.Json;

/**
 * Writes a trained model as an ONNX file: the network's folded inference graph ({@link Network#graph}: BatchNorm
 * folded into the convolutions) encoded with ONNX's own schema ({@code src/main/protobuf/onnx.proto}, ONNX 1.12,
 * compiled by protoc into {@code onnx.Onnx}), at opset {@value #OPSET}. One input, {@value Graph#INPUT}
 * {@code (batch, C, H, W)} float32, normalised as in training; one output, {@value Graph#OUTPUT} {@code (batch, K)}.
 * The metadata carries what a consumer needs to feed it and read it: class names, mean and std, input size, the
 * architecture and the dataset (keys under {@code distill4j.}, values JSON).
 */
public final class OnnxExport {
    /** The operator set the graph is written in. */
    public static final int OPSET = 13;
    /** The IR version that goes with opset 13 (ONNX 1.8). */
    static final int IR_VERSION = 7;
    /** The metadata keys, all JSON-valued. */
    public static final String CLASSES = "distill4j.classNames";
    public static final String MEAN = "distill4j.mean";
    public static final String STD = "distill4j.std";
    public static final String MODEL = "distill4j.model";
    public static final String DATASET = "distill4j.dataset";
    public static final String INPUT_SIZE = "distill4j.inputSize";

    private OnnxExport() {}

    /** Writes the model to {@code out} (through a temporary file renamed into place). */
    public static void write(SavedModel.Loaded model, NDManager manager, Path out) throws IOException {
        Onnx.ModelProto proto = model(model.network().graph(manager), metadata(model.info()), model.info().model());
        AtomicFiles.write(out, proto::writeTo);
    }

    /** What the metadata says about a model: class names, normalisation, input size, architecture, dataset. */
    static Map<String, String> metadata(SavedModel.Info info) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(MODEL, Json.toCompactJson(info.model()));
        meta.put(DATASET, Json.toCompactJson(info.dataset()));
        meta.put(CLASSES, Json.toCompactJson(info.classNames()));
        meta.put(MEAN, Json.toCompactJson(info.mean()));
        meta.put(STD, Json.toCompactJson(info.std()));
        meta.put(INPUT_SIZE, Json.toCompactJson(new int[] {info.channels(), info.height(), info.imageWidth()}));
        meta.put("distill4j.preprocessing", Json.toCompactJson("pixels / 255, then (x - mean) / std per channel"));
        return meta;
    }

    /** The graph as an ONNX model with the given metadata. */
    static Onnx.ModelProto model(Graph graph, Map<String, String> metadata, String name) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName(name);
        for (Graph.Constant c : graph.constants()) {
            g.addInitializer(tensor(c));
        }
        for (Graph.Node n : graph.nodes()) {
            Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(n.op())
                    .setName(n.outputs().get(0)).addAllInput(n.inputs()).addAllOutput(n.outputs());
            n.attributes().forEach((key, value) -> node.addAttribute(attribute(key, value)));
            g.addNode(node);
        }
        g.addInput(value(Graph.INPUT, graph.inputShape()));
        g.addOutput(value(Graph.OUTPUT, graph.outputShape()));
        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("distill4j")
                .setProducerVersion(version())
                .setModelVersion(1)
                .setDocString("A distill4j student (BatchNorm folded). Input " + Graph.INPUT
                        + ": float32 (batch, C, H, W), normalised as the metadata says. Output " + Graph.OUTPUT
                        + ": (batch, classes), softmax gives probabilities.")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static Onnx.TensorProto tensor(Graph.Constant c) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(c.name());
        for (long d : c.dims()) {
            t.addDims(d);
        }
        ByteBuffer raw;
        if (c.floats() != null) { // raw_data is little-endian, as the schema says
            t.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
            raw = ByteBuffer.allocate(4 * c.floats().length).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(c.floats());
        } else {
            t.setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
            raw = ByteBuffer.allocate(8 * c.longs().length).order(ByteOrder.LITTLE_ENDIAN);
            raw.asLongBuffer().put(c.longs());
        }
        return t.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    private static Onnx.AttributeProto attribute(String name, Object value) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (value instanceof Long l) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
        } else if (value instanceof long[] list) {
            a.setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long v : list) {
                a.addInts(v);
            }
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
        }
        return a.build();
    }

    /** A float tensor value whose first axis is the free batch axis. */
    private static Onnx.ValueInfoProto value(String name, long[] shape) {
        Onnx.TensorShapeProto.Builder dims = Onnx.TensorShapeProto.newBuilder();
        dims.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int i = 1; i < shape.length; i++) {
            dims.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
        }
        Onnx.TypeProto.Tensor tensor = Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(dims).build();
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
