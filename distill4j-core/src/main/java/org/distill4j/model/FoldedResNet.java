package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * An inference-only copy of a {@link CifarResNet} for fast batch-1 forwards: every BatchNorm is folded into
 * the convolution before it ({@code W' = W * g / sqrt(v + eps)}, {@code b' = beta - m * g / sqrt(v + eps)}
 * per output channel; Jacob et al. 2018, Sec. 3.2), so a block is conv, ReLU, conv, add, ReLU; and weights
 * and activations are channels-last, which lets libtorch's oneDNN convolutions skip their layout reorders.
 * Same function as the network in eval mode up to float rounding (tested to 1e-4 relative). A snapshot:
 * later training of the network does not reach it. CBAM, when present, runs as the network's own block.
 *
 * <p>Measured here (2 AVX2 cores, docs/latency.md), batch-1 median in one process: ResNet18 w64 0.89x and
 * w16 0.61x the time of {@code features(ps, x, false)}; convolutions are 90% of what is left at w64.
 */
public final class FoldedResNet implements AutoCloseable {

    private static final int STAGES = 4;

    /** A convolution with its BatchNorm folded in: weight (O, I, k, k) channels-last, bias (O). */
    private record Conv(NDArray weight, NDArray bias, Shape stride, Shape padding) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1).singletonOrThrow();
        }
    }

    /** One residual block: the branch convs, CBAM or null, the shortcut conv or null (identity). */
    private record Block(List<Conv> branch, Cbam cbam, Conv shortcut) {}

    private final NDManager manager;
    private final boolean channelsLast;
    private final ParameterStore ps; // for CBAM only; its parameters stay the network's
    private final Conv stem;
    private final List<List<Block>> stages = new ArrayList<>();
    private final NDArray fcWeight; // (K, C_4)
    private final NDArray fcBias; // (K)

    private FoldedResNet(CifarResNet net, NDManager parent, boolean channelsLast) {
        manager = parent.newSubManager();
        this.channelsLast = channelsLast;
        ps = new ParameterStore(manager, false);
        stem = fold(net.stemConv(), net.stemNorm());
        for (int s = 1; s <= STAGES; s++) {
            List<Block> blocks = new ArrayList<>();
            for (ResidualBlock b : net.blocks(s)) {
                List<Conv> branch = new ArrayList<>();
                for (int i = 0; i < b.convs().size(); i++) {
                    branch.add(fold(b.convs().get(i), b.norms().get(i)));
                }
                Conv shortcut = b.shortcutConv() == null ? null : fold(b.shortcutConv(), b.shortcutNorm());
                blocks.add(new Block(branch, b.cbam(), shortcut));
            }
            stages.add(blocks);
        }
        Linear fc = net.classifier();
        fcWeight = copy(param(fc.getParameters().get("weight")));
        fcBias = copy(param(fc.getParameters().get("bias")));
    }

    /**
     * Folds a network's current parameters into a new inference copy.
     *
     * @param net an initialised or loaded network
     * @param parent the manager the copy's arrays hang under; {@link #close} frees them
     * @return the folded copy
     */
    public static FoldedResNet of(CifarResNet net, NDManager parent) {
        return new FoldedResNet(net, parent, true);
    }

    /** As {@link #of(CifarResNet, NDManager)}, with the channels-last layout optional (to measure it). */
    static FoldedResNet of(CifarResNet net, NDManager parent, boolean channelsLast) {
        return new FoldedResNet(net, parent, channelsLast);
    }

    /**
     * Runs the network in eval mode: what {@code net.features(ps, x, false)} returns, up to float rounding.
     * The result's arrays belong to x's manager; the stage outputs are channels-last in memory.
     *
     * @param x images {@code (B, C_in, H, W)}
     * @return logits and the four stage outputs
     */
    public Features features(NDArray x) {
        NDArray h = Activation.relu(stem.apply(channelsLast ? channelsLast(x) : x)); // (B, w, H, W)
        List<NDArray> stageOutputs = new ArrayList<>(STAGES);
        for (List<Block> stage : stages) {
            for (Block b : stage) {
                h = residual(b, h);
            }
            stageOutputs.add(h); // (B, C_s, H_s, W_s)
        }
        NDArray pooled = Pool.globalAvgPool2d(h); // (B, C_4)
        NDArray logits = Linear.linear(pooled, fcWeight, fcBias).singletonOrThrow(); // (B, K)
        return new Features(logits, stageOutputs);
    }

    private NDArray residual(Block b, NDArray x) {
        NDArray out = x;
        for (int i = 0; i < b.branch().size(); i++) {
            out = b.branch().get(i).apply(out);
            if (i < b.branch().size() - 1) {
                out = Activation.relu(out);
            }
        }
        if (b.cbam() != null) {
            out = Layers.apply(b.cbam(), ps, out, false);
        }
        NDArray skip = b.shortcut() == null ? x : b.shortcut().apply(x);
        out.addi(skip); // out is this block's own fresh array: adding in place saves one allocation
        return Activation.relu(out);
    }

    /** Folds BatchNorm (eval mode: running statistics) into the bias-free conv before it. */
    private Conv fold(Conv2d conv, BatchNorm norm) {
        float[] w = param(conv.getParameters().get("weight")).toFloatArray(); // (O, I, k, k)
        float[] gamma = param(norm.getParameters().get("gamma")).toFloatArray();
        float[] beta = param(norm.getParameters().get("beta")).toFloatArray();
        float[] mean = param(norm.getParameters().get("runningMean")).toFloatArray();
        float[] var = param(norm.getParameters().get("runningVar")).toFloatArray();
        int out = gamma.length;
        int perOut = w.length / out;
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            // double for the scale, so folding adds no rounding beyond the final float
            double scale = gamma[o] / Math.sqrt((double) var[o] + Layers.BN_EPSILON);
            for (int j = o * perOut; j < (o + 1) * perOut; j++) {
                w[j] = (float) (w[j] * scale);
            }
            bias[o] = (float) (beta[o] - mean[o] * scale);
        }
        NDArray weight = owned(w, param(conv.getParameters().get("weight")).getShape());
        weight = channelsLast ? channelsLast(weight) : weight;
        return new Conv(weight, owned(bias, new Shape(out)), conv.getStride(), conv.getPadding());
    }

    /**
     * The same (B, C, H, W) tensor stored channels-last (NHWC order in memory): DJL has no memory-format
     * call, so permute to NHWC, copy into that order (reshape of a non-contiguous view copies), and permute
     * the view back. oneDNN then runs NHWC convolutions and keeps the format along the network.
     */
    static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape(); // (B, C, H, W)
        return x.transpose(0, 2, 3, 1)
                .reshape(-1)
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    private static NDArray param(Parameter p) {
        return p.getArray();
    }

    /** A copy in this model's manager, detached from autograd and from later training of the network. */
    private NDArray copy(NDArray a) {
        return owned(a.toFloatArray(), a.getShape());
    }

    /**
     * An array whose memory libtorch owns. DJL's {@code create(float[])} wraps a Java direct buffer without
     * copying; a view of it that outlives that NDArray (reshape of a 1x1 conv weight is one) reads freed
     * memory once the buffer is collected (seen: SIGSEGV in MKL sgemm).
     */
    private NDArray owned(float[] values, Shape shape) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray a = tmp.create(values, shape).duplicate();
            a.attach(manager);
            return a;
        }
    }

    /** Frees the folded weights. */
    @Override
    public void close() {
        manager.close();
    }
}
