package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape MobileNetV2 and the ShuffleNets share: a conv + BN + ReLU stem, stages of units, an optional 1x1 conv +
 * BN + ReLU head, global average pooling and a linear classifier. Subclasses only build their parts, in this order.
 */
abstract class UnitNetwork extends Network {
    private ConvBn stem;
    private final List<Group<Unit>> stages = new ArrayList<>();
    private ConvBn head; // null: pool the last stage directly
    private Linear classifier;

    UnitNetwork(byte version, ModelSpec spec) {
        super(version, spec);
    }

    void addStem(ConvBn conv) {
        stem = addChildBlock("stem", conv);
    }

    void addStage(Group<Unit> stage) {
        stages.add(addChildBlock("stage" + (stages.size() + 1), stage));
    }

    /** The optional head, then the classifier; call last. */
    void addHead(ConvBn conv) {
        if (conv != null) {
            head = addChildBlock("head", conv);
        }
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec().numClasses()).build());
    }

    @Override
    Features run(Forward f, NDArray x) {
        NDArray stemOut = f.relu(stem.forward(f, x)); // (B, C_0, H_0, W_0)
        StageTrace trace = new StageTrace();
        NDArray h = stemOut;
        for (Group<Unit> stage : stages) {
            f.enter(stage, h);
            h = trace.stage(f, stage.units(), h); // (B, C_s, H_s, W_s)
        }
        NDArray pooled = pool(f, h);
        return trace.features(f.linear(classifier, pooled), pooled, stemOut);
    }

    @Override
    NDArray tail(Forward f, NDArray h, int stage) {
        for (int s = stage; s < stages.size(); s++) {
            h = stages.get(s).apply(f, h).get(0);
        }
        return f.linear(classifier, pool(f, h));
    }

    /** The head (if any), then global average pooling: (B, C, h, w) -> (B, d). */
    private NDArray pool(Forward f, NDArray h) {
        return f.globalAvgPool(head == null ? h : f.relu(head.forward(f, h)));
    }
}
