package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.distill4j.model.Features;

/**
 * What the frozen teacher contributes to one batch, computed before the student's step (by running it, or read
 * from a bank): the {@link Signal}s a method's terms asked for. None carry a gradient.
 *
 * @param signals each signal's value for the batch, batch first
 */
public record TeacherOutputs(Map<Signal, NDArray> signals) {

    public TeacherOutputs {
        signals = Map.copyOf(signals);
    }

    /** The signals of {@code wanted} computed from the teacher's features (none may be a {@link Signal.Mask}). */
    public static TeacherOutputs of(Features teacher, Set<Signal> wanted) {
        Map<Signal, NDArray> values = new TreeMap<>();
        for (Signal s : wanted) {
            values.put(s, s.compute(teacher));
        }
        return new TeacherOutputs(values);
    }

    /**
     * One signal's value.
     *
     * @throws IllegalStateException if it was not computed: the term did not declare it
     */
    public NDArray get(Signal signal) {
        NDArray v = signals.get(signal);
        if (v == null) {
            throw new IllegalStateException("teacher signal " + signal.key() + " was not computed; the term reading "
                    + "it must list it in teacherSignals() (computed: " + new TreeMap<>(signals).keySet() + ")");
        }
        return v;
    }

    /** The logits (B, K). */
    public NDArray logits() {
        return get(new Signal.Logits());
    }
}
