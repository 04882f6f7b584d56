package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How a network's layers and operations are executed in one forward pass. Every architecture writes its forward
 * once, against this class (layers and every operation between them: activations, sums, pooling, shuffles), and
 * the same code then serves five purposes:
 * <ul>
 *   <li>training and evaluation: each layer is the DJL block, with batch or running statistics;</li>
 *   <li>initialisation: a layer met for the first time is initialised for the shape that reaches it, so no
 *       architecture has to propagate shapes by hand;</li>
 *   <li>the folded inference copy ({@link FoldedNetwork}): a conv followed by BatchNorm runs as one conv with the
 *       normalisation folded into its weights and bias, a lone BatchNorm as one per-channel scale and shift, all
 *       snapshotted at the first call and kept channels-last;</li>
 *   <li>counting: the multiply-adds of every conv and linear layer, for the FLOPs column of {@code models};</li>
 *   <li>tracing: the folded copy, channels-first, recording each operation into a {@link Graph}, for export.</li>
 * </ul>
 */
public final class Forward {
    /** Epsilon of every BatchNorm distill4j builds (DJL's and PyTorch's default); folding uses the same. */
    static final float BN_EPSILON = 1e-5f;

    private final ParameterStore ps;
    private final boolean training;
    private final NDManager initManager; // non-null: initialise layers on first use
    private final Folding folding; // non-null: run the folded snapshot
    private final boolean counting; // add up FLOPs; only flops() asks, so training steps do no bookkeeping
    private final Graph graph; // non-null: record every operation (a folded execution)
    private long flops;

    private Forward(ParameterStore ps, boolean training, NDManager initManager, Folding folding, boolean counting,
            Graph graph) {
        this.ps = ps;
        this.training = training;
        this.initManager = initManager;
        this.folding = folding;
        this.counting = counting;
        this.graph = graph;
    }

    /** Plain execution: the DJL blocks, BatchNorm with batch statistics when {@code training}. */
    public static Forward of(ParameterStore ps, boolean training) {
        return new Forward(ps, training, null, null, false, null);
    }

    /** Eval-mode execution that counts the FLOPs of every conv and linear layer it runs. */
    static Forward counting(ParameterStore ps) {
        return new Forward(ps, false, null, null, true, null);
    }

    /** Eval-mode execution that initialises every layer it meets (parameters in {@code manager}). */
    static Forward initializing(NDManager manager) {
        return new Forward(new ParameterStore(manager, false), false, manager, null, false, null);
    }

    /** Execution of a folded snapshot; its arrays live in {@code manager}. */
    static Forward folded(NDManager manager, boolean channelsLast) {
        return new Forward(
                new ParameterStore(manager, false), false, null, new Folding(manager, channelsLast), false, null);
    }

    /** A folded execution (channels-first) that records every operation into {@code graph}. */
    static Forward tracing(NDManager manager, Graph graph) {
        return new Forward(new ParameterStore(manager, false), false, null, new Folding(manager, false), false, graph);
    }

    /**
     * Multiply-adds x 2 of the conv and linear layers run so far by a {@link #counting} execution (BatchNorm,
     * activations, pooling not counted); 0 for any other.
     */
    long flops() {
        return flops;
    }

    /** The input layout this execution wants: channels-last for the folded copy. */
    NDArray input(NDArray x) {
        if (graph != null) {
            graph.input(x);
        }
        return folding != null && folding.channelsLast ? channelsLast(x) : x;
    }

    /** {@code bn(conv(x))}; in the folded copy one conv whose weights and bias absorb the BatchNorm. */
    NDArray convBn(Conv2d conv, BatchNorm bn, NDArray x) {
        if (folding != null) {
            return foldedConv(folding.convBn(conv, bn), x);
        }
        return layer(bn, layer(conv, x));
    }

    /** A conv with no BatchNorm after it (its own bias, if it has one). */
    NDArray conv(Conv2d conv, NDArray x) {
        if (folding != null) {
            return foldedConv(folding.convBn(conv, null), x);
        }
        return layer(conv, x);
    }

    private NDArray foldedConv(FoldedConv c, NDArray x) {
        NDArray y = c.apply(x);
        if (graph != null) {
            long p = c.padding().get(0);
            graph.node("Conv", List.of(graph.name(x), graph.constant(c.weight()), graph.constant(c.bias())),
                    List.of(y), "kernel_shape", c.weight().getShape().slice(2).getShape(),
                    "strides", c.stride().getShape(), "pads", new long[] {p, c.padding().get(1), p, c.padding().get(1)},
                    "dilations", c.dilation().getShape(), "group", (long) c.groups());
        }
        return y;
    }

    /** A BatchNorm with no conv before it (pre-activation nets); folded into one per-channel scale and shift. */
    NDArray bn(BatchNorm bn, NDArray x) {
        if (folding != null) {
            Affine a = folding.affine(bn);
            NDArray scaled = x.mul(a.scaleArray);
            NDArray y = scaled.add(a.shiftArray);
            if (graph != null) {
                graph.node("Mul", List.of(graph.name(x), graph.constant(a.scaleArray)), List.of(scaled));
                graph.node("Add", List.of(graph.name(scaled), graph.constant(a.shiftArray)), List.of(y));
            }
            return y;
        }
        return layer(bn, x);
    }

    /** A linear layer, {@code (B, in) -> (B, out)}. */
    NDArray linear(Linear linear, NDArray x) {
        if (folding != null) {
            NDArray[] wb = folding.linear(linear);
            NDArray y = Linear.linear(x, wb[0], wb[1]).singletonOrThrow();
            if (graph != null) { // DJL's weight is (out, in): y = x W^T + b
                graph.node("Gemm", List.of(graph.name(x), graph.constant(wb[0]), graph.constant(wb[1])), List.of(y),
                        "transB", 1L);
            }
            return y;
        }
        NDArray y = layer(linear, x);
        if (counting) {
            flops += 2L * y.getShape().size() * x.getShape().get(1);
        }
        return y;
    }

    /** ReLU. */
    NDArray relu(NDArray x) {
        return recorded("Relu", Activation.relu(x), x);
    }

    /** The logistic sigmoid. */
    NDArray sigmoid(NDArray x) {
        return recorded("Sigmoid", Activation.sigmoid(x), x);
    }

    /**
     * {@code a + b}, broadcasting. The folded copy adds in place, into a: a must be a fresh intermediate that
     * nothing else reads (a branch's output before its residual sum), and no backward will read it.
     */
    NDArray add(NDArray a, NDArray b) {
        if (folding != null && graph == null) {
            return a.addi(b);
        }
        return recorded("Add", a.add(b), a, b);
    }

    /** {@code a * b}, broadcasting (attention weights times features). */
    NDArray mul(NDArray a, NDArray b) {
        return recorded("Mul", a.mul(b), a, b);
    }

    /** Concatenation along the channel axis. */
    NDArray concat(NDArray a, NDArray b) {
        return recorded("Concat", a.concat(b, 1), a, b, "axis", 1L);
    }

    /** Splits the channels into the first {@code first} and the rest. */
    NDList split(NDArray x, long first) {
        NDList halves = x.split(new long[] {first}, 1);
        if (graph != null) {
            long rest = x.getShape().get(1) - first;
            graph.node("Split", List.of(graph.name(x), graph.longs(first, rest)), halves, "axis", 1L);
        }
        return halves;
    }

    /**
     * Channel shuffle (Zhang et al. 2018, Sec. 3.1): {@code (B, C, H, W) -> (B, g, C/g, H, W)}, swap the two channel
     * axes, flatten back, so the next grouped conv sees channels from every group.
     */
    NDArray shuffle(NDArray x, int groups) {
        if (groups == 1) {
            return x;
        }
        Shape s = x.getShape();
        NDArray split = x.reshape(s.get(0), groups, s.get(1) / groups, s.get(2), s.get(3));
        NDArray swapped = split.transpose(0, 2, 1, 3, 4);
        NDArray y = swapped.reshape(s);
        if (graph != null) { // 0 in an ONNX shape copies the input's axis: the batch stays free
            graph.node("Reshape", List.of(graph.name(x), graph.longs(0, groups, s.get(1) / groups, s.get(2), s.get(3))),
                    List.of(split));
            graph.node("Transpose", swapped, List.of(split), "perm", new long[] {0, 2, 1, 3, 4});
            graph.node("Reshape", List.of(graph.name(swapped), graph.longs(0, s.get(1), s.get(2), s.get(3))),
                    List.of(y));
        }
        return y;
    }

    /** Global average pooling, {@code (B, C, H, W) -> (B, C)}. */
    NDArray globalAvgPool(NDArray x) {
        return flattened("GlobalAveragePool", Pool.globalAvgPool2d(x), x);
    }

    /** Global max pooling, {@code (B, C, H, W) -> (B, C)}. */
    NDArray globalMaxPool(NDArray x) {
        return flattened("GlobalMaxPool", Pool.globalMaxPool2d(x), x);
    }

    private NDArray flattened(String op, NDArray y, NDArray x) {
        if (graph != null) {
            NDArray pooled = y.reshape(y.getShape().get(0), y.getShape().get(1), 1, 1); // the ONNX op's (B, C, 1, 1)
            graph.node(op, pooled, List.of(x));
            graph.node("Flatten", y, List.of(pooled), "axis", 1L);
        }
        return y;
    }

    /** Max pooling, square window and stride, no padding, floor rounding. */
    NDArray maxPool(NDArray x, int kernel, int stride) {
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        return recorded("MaxPool", Pool.maxPool2d(x, k, s, new Shape(0, 0), false), x,
                "kernel_shape", k.getShape(), "strides", s.getShape());
    }

    /** Average pooling, square window, padded positions counted as zeros, floor rounding. */
    NDArray avgPool(NDArray x, int kernel, int stride, int padding) {
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        return recorded("AveragePool", Pool.avgPool2d(x, k, s, new Shape(padding, padding), false, true), x,
                "kernel_shape", k.getShape(), "strides", s.getShape(),
                "pads", new long[] {padding, padding, padding, padding}, "count_include_pad", 1L);
    }

    /** Mean over channels, {@code (B, C, H, W) -> (B, 1, H, W)}. */
    NDArray channelMean(NDArray x) {
        return recorded("ReduceMean", x.mean(new int[] {1}, true), x, "axes", new long[] {1}, "keepdims", 1L);
    }

    /** Maximum over channels, {@code (B, C, H, W) -> (B, 1, H, W)}. */
    NDArray channelMax(NDArray x) {
        return recorded("ReduceMax", x.max(new int[] {1}, true), x, "axes", new long[] {1}, "keepdims", 1L);
    }

    /** Per-channel values as a map, {@code (B, C) -> (B, C, 1, 1)}. */
    NDArray asMap(NDArray v) {
        NDArray y = v.reshape(v.getShape().get(0), v.getShape().get(1), 1, 1);
        if (graph != null) {
            graph.node("Reshape", List.of(graph.name(v), graph.longs(0, v.getShape().get(1), 1, 1)), List.of(y));
        }
        return y;
    }

    /** Records {@code y = op(inputs)} when tracing; attributes follow the arrays as name, value pairs. */
    private NDArray recorded(String op, NDArray y, Object... inputsThenAttributes) {
        if (graph == null) {
            return y;
        }
        List<NDArray> inputs = new ArrayList<>();
        int i = 0;
        while (i < inputsThenAttributes.length && inputsThenAttributes[i] instanceof NDArray a) {
            inputs.add(a);
            i++;
        }
        return graph.node(op, y, inputs, Arrays.copyOfRange(inputsThenAttributes, i, inputsThenAttributes.length));
    }

    /**
     * Runs a composite unit of a network (a residual block, a shuffle unit) on x. Registers the unit as
     * initialised when initialising (so its input shape is saved with the parameters), and frees every
     * intermediate the unit creates when it returns: DJL frees an array only when its manager closes, so
     * without this scope a forward would hold every intermediate of the network until the step ends (measured:
     * 17.7 GB peak for ResNet50+CBAM at batch 256). Autograd keeps what backward needs through libtorch's own
     * references.
     *
     * @return what {@code body} returns, attached to x's manager
     */
    NDList unit(Block unit, NDArray x, Function<NDArray, NDList> body) {
        enter(unit, x);
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            x.tempAttach(scope);
            NDList result = body.apply(x);
            result.attach(owner);
            return result;
        }
    }

    /**
     * When initialising, records a composite block as initialised for x's shape (its input shape is saved with
     * the parameters); its children initialise as the forward reaches them. Otherwise nothing.
     */
    void enter(Block container, NDArray x) {
        if (initManager != null && !container.isInitialized()) {
            container.initialize(initManager, DataType.FLOAT32, x.getShape());
        }
    }

    private NDArray layer(Block block, NDArray x) {
        if (initManager != null && !block.isInitialized()) {
            block.initialize(initManager, DataType.FLOAT32, x.getShape());
        }
        NDArray y = block.forward(ps, new NDList(x), training).singletonOrThrow();
        if (counting && block instanceof Conv2d conv) {
            Shape k = conv.getKernelShape();
            long inPerGroup = conv.getParameters().get("weight").getArray().getShape().get(1);
            flops += 2L * y.getShape().size() * inPerGroup * k.get(0) * k.get(1);
        }
        return y;
    }

    /**
     * The same (B, C, H, W) tensor stored channels-last (NHWC order in memory): DJL has no memory-format call,
     * so permute to NHWC, copy into that order (reshape of a non-contiguous view copies), and permute the view
     * back. oneDNN then runs NHWC convolutions and keeps the format along the network, skipping its reorders.
     */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape(); // (B, C, H, W)
        return x.transpose(0, 2, 3, 1)
                .reshape(-1)
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /** The folded snapshot: per conv (identity), its folded weights; per lone BatchNorm, its scale and shift. */
    private static final class Folding {
        private final NDManager manager;
        private final boolean channelsLast;
        private final Map<Conv2d, FoldedConv> convs = new IdentityHashMap<>();
        private final Map<BatchNorm, Affine> affines = new IdentityHashMap<>();
        private final Map<Linear, NDArray[]> linears = new IdentityHashMap<>();

        Folding(NDManager manager, boolean channelsLast) {
            this.manager = manager;
            this.channelsLast = channelsLast;
        }

        /**
         * Folds eval-mode BatchNorm into the conv before it: {@code W' = W * g / sqrt(v + eps)}, {@code b' = beta
         * + (b - m) * g / sqrt(v + eps)} per output channel (Jacob et al. 2018, Sec. 3.2). With no BatchNorm, a
         * copy of the conv.
         */
        FoldedConv convBn(Conv2d conv, BatchNorm bn) {
            FoldedConv folded = convs.get(conv);
            if (folded != null) {
                return folded;
            }
            NDArray weightArray = conv.getParameters().get("weight").getArray(); // (O, I/groups, k, k)
            float[] w = weightArray.toFloatArray();
            int out = (int) weightArray.getShape().get(0);
            Parameter convBias = conv.getParameters().get("bias");
            float[] bias = convBias == null ? new float[out] : convBias.getArray().toFloatArray();
            if (bn != null) {
                Affine a = Affine.of(bn);
                int perOut = w.length / out;
                for (int o = 0; o < out; o++) {
                    for (int j = o * perOut; j < (o + 1) * perOut; j++) {
                        w[j] = (float) (w[j] * a.scale[o]);
                    }
                    bias[o] = (float) (a.shift[o] + bias[o] * a.scale[o]);
                }
            }
            NDArray weight = owned(manager, w, weightArray.getShape());
            folded = new FoldedConv(channelsLast ? channelsLast(weight) : weight, owned(manager, bias, new Shape(out)),
                    conv.getStride(), conv.getPadding(), conv.getDilation(), conv.getGroups());
            convs.put(conv, folded);
            return folded;
        }

        /** A lone BatchNorm as {@code x * scale + shift}, {@code (1, C, 1, 1)} each. */
        Affine affine(BatchNorm bn) {
            Affine a = affines.computeIfAbsent(bn, Affine::of);
            if (a.scaleArray == null) {
                int c = a.scale.length;
                a.scaleArray = owned(manager, toFloats(a.scale), new Shape(1, c, 1, 1));
                a.shiftArray = owned(manager, toFloats(a.shift), new Shape(1, c, 1, 1));
            }
            return a;
        }

        NDArray[] linear(Linear linear) {
            return linears.computeIfAbsent(linear, l -> new NDArray[] {
                copy(l.getParameters().get("weight").getArray()), copy(l.getParameters().get("bias").getArray())});
        }

        private NDArray copy(NDArray a) {
            return owned(manager, a.toFloatArray(), a.getShape());
        }
    }

    /** A conv with BatchNorm folded in: weight (O, I/groups, k, k), bias (O). */
    private record FoldedConv(NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, stride, padding, dilation, groups).singletonOrThrow();
        }
    }

    /** Eval-mode BatchNorm as {@code y = x * scale + shift} per channel, in double so folding adds no rounding. */
    private static final class Affine {
        final double[] scale;
        final double[] shift;
        NDArray scaleArray;
        NDArray shiftArray;

        private Affine(double[] scale, double[] shift) {
            this.scale = scale;
            this.shift = shift;
        }

        static Affine of(BatchNorm bn) {
            float[] gamma = bn.getParameters().get("gamma").getArray().toFloatArray();
            float[] beta = bn.getParameters().get("beta").getArray().toFloatArray();
            float[] mean = bn.getParameters().get("runningMean").getArray().toFloatArray();
            float[] var = bn.getParameters().get("runningVar").getArray().toFloatArray();
            double[] scale = new double[gamma.length];
            double[] shift = new double[gamma.length];
            for (int c = 0; c < gamma.length; c++) {
                scale[c] = gamma[c] / Math.sqrt((double) var[c] + BN_EPSILON);
                shift[c] = beta[c] - mean[c] * scale[c];
            }
            return new Affine(scale, shift);
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /**
     * An array whose memory libtorch owns. DJL's {@code create(float[])} wraps a Java direct buffer without
     * copying; a view of it that outlives that NDArray (reshape of a 1x1 conv weight is one) reads freed memory
     * once the buffer is collected (seen: SIGSEGV in MKL sgemm).
     */
    static NDArray owned(NDManager manager, float[] values, Shape shape) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray a = tmp.create(values, shape).duplicate();
            a.attach(manager);
            return a;
        }
    }
}
