package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named, already weighted scalar loss terms of one step (e.g. "ce", "kd", "attn"). The trainer
 * only sums and logs them, so a method never needs the trainer changed (STYLE.md habit 1).
 */
public record LossTerms(Map<String, NDArray> terms) {

    public LossTerms {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a step must produce at least one loss term");
        }
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    }

    public static LossTerms of(String name, NDArray value) {
        return new LossTerms(Map.of(name, value));
    }

    /** The sum of all terms, a scalar. */
    public NDArray total() {
        NDArray sum = null;
        for (NDArray t : terms.values()) {
            sum = sum == null ? t : sum.add(t);
        }
        return sum;
    }
}
