package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.loss.CrossEntropy;
import org.distill4j.loss.LossTerms;
import org.distill4j.loss.SoftTargets;
import org.distill4j.model.Features;

/**
 * L_KD = (1 - lambda) * CE(s, y) + lambda * T^2 * KL(softmax(t/T) || softmax(s/T)) (Hinton, Vinyals &amp; Dean
 * 2015). Terms "ce" and "soft", each already multiplied by its share; lambda = 0 is plain cross-entropy.
 */
public final class KdDistiller implements Distiller {
    private final double lambda;
    private final double temperature;

    public KdDistiller(double lambda, double temperature) {
        this.lambda = lambda;
        this.temperature = temperature;
    }

    @Override
    public List<String> termNames() {
        return lambda > 0 ? List.of("ce", "soft") : List.of("ce");
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.logitsOnly();
    }

    @Override
    public LossTerms loss(Features student, TeacherOutputs teacher, NDArray labels) {
        Map<String, NDArray> terms = new LinkedHashMap<>();
        terms.put("ce", CrossEntropy.loss(student.logits(), labels).mul((float) (1 - lambda)));
        if (lambda > 0) {
            terms.put("soft", SoftTargets.loss(student.logits(), teacher.logits(), temperature).mul((float) lambda));
        }
        return new LossTerms(terms);
    }
}
