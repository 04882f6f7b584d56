package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/** What a forward pass collects on its way through the stages, until it becomes the network's {@link Features}. */
final class StageTrace {
    final List<NDArray> outputs = new ArrayList<>();
    final List<NDArray> preacts = new ArrayList<>();
    final List<NDArray> blocks = new ArrayList<>();

    /**
     * Runs one stage's units from h, recording every unit's output and the stage's output with its pre-activation
     * form (the last unit's second output, or its output when it has none).
     *
     * @return the stage's output
     */
    NDArray stage(Forward f, List<? extends Unit> units, NDArray h) {
        NDList out = Network.chain(f, units, h, blocks);
        outputs.add(out.get(0));
        preacts.add(out.get(1));
        return out.get(0);
    }

    Features features(NDArray logits, NDArray pooled, NDArray stem) {
        return new Features(logits, outputs, preacts, pooled, blocks, stem);
    }
}
