package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/** An ordered group of units (a network's stage): a parameter container the network iterates itself. */
final class Group<U extends Unit> extends Unit {
    private final List<U> units = new ArrayList<>();

    Group<U> add(U unit) {
        units.add(addChildBlock("unit" + (units.size() + 1), unit));
        return this;
    }

    List<U> units() {
        return units;
    }

    /** Chains the units' main outputs; returns the last unit's {@code [output, pre-activation output]}. */
    @Override
    NDList apply(Forward f, NDArray x) {
        f.enter(this, x);
        return Network.chain(f, units, x, new ArrayList<>());
    }
}
