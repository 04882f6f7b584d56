package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * The seed's total, L = alpha * L_KD + beta * L_Align + gamma * L_Attn, as a weighted sum of parts: each
 * part's terms are multiplied by its weight and logged under their own names, so history.csv shows what
 * every term contributed. Parts with weight 0 are left out (and their teacher work is not done).
 */
public final class WeightedSum implements Distiller {
    private final List<Distiller> parts = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();

    /** Adds a part unless its weight is 0. */
    public WeightedSum add(double weight, Distiller part) {
        if (weight > 0) {
            parts.add(part);
            weights.add(weight);
        }
        return this;
    }

    @Override
    public List<String> termNames() {
        List<String> names = new ArrayList<>();
        parts.forEach(p -> names.addAll(p.termNames()));
        return names;
    }

    @Override
    public TeacherNeeds needs() {
        TeacherNeeds needs = TeacherNeeds.logitsOnly();
        for (Distiller p : parts) {
            needs = needs.and(p.needs());
        }
        return needs;
    }

    @Override
    public LossTerms loss(Features student, TeacherOutputs teacher, NDArray labels) {
        Map<String, NDArray> terms = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            double w = weights.get(i);
            parts.get(i).loss(student, teacher, labels).terms().forEach((k, v) -> terms.put(k, w == 1 ? v : v.mul((float) w)));
        }
        return new LossTerms(terms);
    }
}
