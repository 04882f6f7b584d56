package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * An inference-only copy of any {@link Network} for fast batch-1 forwards: every BatchNorm that follows a conv is
 * folded into it ({@code W' = W * g / sqrt(v + eps)}, {@code b' = beta + (b - m) * g / sqrt(v + eps)}; Jacob et
 * al. 2018, Sec. 3.2), a BatchNorm with no conv before it (pre-activation WRNs) becomes one per-channel scale and
 * shift, and weights and activations are channels-last, which lets libtorch's oneDNN convolutions skip their
 * layout reorders. The same function as the network in eval mode up to float rounding (tested per family).
 *
 * <p>A snapshot of the convolutions, BatchNorms and classifier taken when it is built: later training of the
 * network does not reach them. CBAM, when present, is snapshotted too: its MLP's linear layers, and its spatial
 * conv with the BatchNorm after it folded in.
 *
 * <p>Measured here for ResNet18 (2 AVX2 cores, docs/latency.md), batch-1 median in one process: w64 0.89x and
 * w16 0.61x the time of {@code features(ps, x, false)}.
 */
public final class FoldedNetwork implements AutoCloseable {

    private final Network network;
    private final NDManager manager;
    private final Forward forward;

    FoldedNetwork(Network network, NDManager parent, boolean channelsLast) {
        this.network = network;
        this.manager = parent.newSubManager();
        this.forward = Forward.folded(manager, channelsLast);
        // Take the snapshot now: one forward folds every layer it meets (results discarded).
        Shape in = network.inputShape();
        try (NDManager scratch = manager.newSubManager()) {
            features(scratch.zeros(new Shape(1, in.get(1), in.get(2), in.get(3))));
        }
    }

    /** As {@link Network#fold}, with the channels-last layout optional (to measure what it buys). */
    static FoldedNetwork of(Network network, NDManager parent, boolean channelsLast) {
        return new FoldedNetwork(network, parent, channelsLast);
    }

    /** Returns the network this is a copy of. */
    public Network network() {
        return network;
    }

    /**
     * Runs the network in eval mode: what {@code network.features(ps, x, false)} returns, up to float rounding.
     * The result's arrays belong to x's manager; stage outputs are channels-last in memory.
     *
     * @param x images {@code (B, C_in, H, W)}
     */
    public Features features(NDArray x) {
        return network.run(forward, forward.input(x));
    }

    /** Frees the folded weights. */
    @Override
    public void close() {
        manager.close();
    }
}
