package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's inference function as a dataflow graph in ONNX's operator vocabulary (opset 13), recorded by running
 * the folded forward once ({@link Network#graph}): every layer and operation the forward executes through
 * {@link Forward} becomes one node whose inputs are the names of the arrays it read. Parameters are constants with
 * BatchNorm already folded in. The graph reads one input, {@code (batch, C, H, W)} images normalised as in
 * training, and writes one output, the logits {@code (batch, K)}; every shape constant keeps the batch axis free.
 *
 * <p>An array that reaches a recorded operation without having been produced by one means some code of the
 * forward bypassed {@link Forward}; recording then fails rather than writing a graph that computes something else.
 */
public final class Graph {
    /** Name of the graph's input. */
    public static final String INPUT = "images";
    /** Name of the graph's output. */
    public static final String OUTPUT = "logits";

    /**
     * One operation.
     *
     * @param op         the ONNX operator (Conv, Gemm, Relu, ...)
     * @param inputs     names of the values it reads, in the operator's order
     * @param outputs    names of the values it writes
     * @param attributes the operator's attributes: {@code Long} for an int, {@code long[]} for a list of ints
     */
    public record Node(String op, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {}

    /**
     * A constant tensor: a folded weight or bias (floats) or a shape or split argument (longs); exactly one of the
     * two arrays is non-null.
     */
    public record Constant(String name, long[] dims, float[] floats, long[] longs) {}

    private final IdentityHashMap<NDArray, String> names = new IdentityHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Constant> constants = new ArrayList<>();
    private final long[] inputShape;
    private long[] outputShape;
    private int counter;

    Graph(long[] inputShape) {
        this.inputShape = inputShape.clone();
    }

    /** The operations in execution order (every input is a graph input, a constant or an earlier output). */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The constants, in the order the nodes first read them. */
    public List<Constant> constants() {
        return List.copyOf(constants);
    }

    /** The input shape, {@code [1, C, H, W]}; the batch axis is free in the graph. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** The output shape, {@code [1, K]}; the batch axis is free in the graph. */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /** Marks x as the graph's input. */
    void input(NDArray x) {
        names.put(x, INPUT);
    }

    /** Marks y, the logits, as the graph's output: renames the value its producer writes. */
    void output(NDArray y) {
        String name = name(y);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.outputs().contains(name)) {
                List<String> outs = n.outputs().stream().map(o -> o.equals(name) ? OUTPUT : o).toList();
                nodes.set(i, new Node(n.op(), n.inputs(), outs, n.attributes()));
            }
        }
        names.put(y, OUTPUT);
        outputShape = y.getShape().getShape();
    }

    /** The name of an array that a recorded operation produced (or the input). */
    String name(NDArray x) {
        String name = names.get(x);
        if (name == null) {
            throw new IllegalStateException("an array of shape " + x.getShape() + " reached a recorded operation "
                    + "without being produced by one: some code of the forward bypasses Forward");
        }
        return name;
    }

    /** The name of a parameter array, adding it as a float constant the first time it is seen. */
    String constant(NDArray parameter) {
        String name = names.get(parameter);
        if (name == null) {
            name = "w" + constants.size();
            constants.add(new Constant(name, parameter.getShape().getShape(), parameter.toFloatArray(), null));
            names.put(parameter, name);
        }
        return name;
    }

    /** A new int64 constant (a shape or a split), named by its position. */
    String longs(long... values) {
        String name = "c" + constants.size();
        constants.add(new Constant(name, new long[] {values.length}, null, values.clone()));
        return name;
    }

    /**
     * Records a node that read {@code inputs} (names) and wrote {@code outputs} (arrays, named here).
     *
     * @param attributes alternating names and values ({@code Long} or {@code long[]})
     */
    void node(String op, List<String> inputs, List<NDArray> outputs, Object... attributes) {
        Map<String, Object> attrs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < attributes.length; i += 2) {
            attrs.put((String) attributes[i], attributes[i + 1]);
        }
        List<String> outs = new ArrayList<>();
        for (NDArray y : outputs) {
            String name = op + "_" + counter++;
            names.put(y, name);
            outs.add(name);
        }
        nodes.add(new Node(op, List.copyOf(inputs), outs, Map.copyOf(attrs)));
    }

    /** A node with one output whose inputs are all arrays produced earlier. */
    NDArray node(String op, NDArray y, List<NDArray> inputs, Object... attributes) {
        node(op, inputs.stream().map(this::name).toList(), List.of(y), attributes);
        return y;
    }
}
