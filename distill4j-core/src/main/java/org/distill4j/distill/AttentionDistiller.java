package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.AttentionTransfer;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * Attention transfer over several stages, shallow to deep, one weighted term per stage ("attn1".."attn4"):
 * sum_s w_s * mean (q_s^S - q_s^T)^2 with q the L2-normalised map sum_c A^2 (Zagoruyko &amp; Komodakis 2017);
 * several stages with per-stage weights is HMAT's hierarchical transfer (Gou et al., ACM TOMM 2022). With
 * {@code causal}, each stage's squared difference is weighted by the teacher's IG mask resized to that stage,
 * so the student copies the teacher's attention only where it is causally relevant (the seed's method).
 */
public final class AttentionDistiller implements Distiller {
    private final List<Integer> stages;
    private final List<Double> weights;
    private final TeacherNeeds needs;

    /**
     * @param stages  stages 1..4 to transfer
     * @param weights one weight per stage
     * @param causal  weight by the causal mask; then causalStage, igSteps and causalTop configure it
     */
    public AttentionDistiller(List<Integer> stages, List<Double> weights, boolean causal, int causalStage,
            int igSteps, double causalTop) {
        if (stages.size() != weights.size() || stages.isEmpty()) {
            throw new IllegalArgumentException("one weight per attention stage: " + stages + " / " + weights);
        }
        this.stages = List.copyOf(stages);
        this.weights = List.copyOf(weights);
        this.needs = new TeacherNeeds(Set.copyOf(stages), causal, causalStage, igSteps, causalTop);
    }

    @Override
    public List<String> termNames() {
        List<String> names = new ArrayList<>();
        stages.forEach(s -> names.add("attn" + s));
        return names;
    }

    @Override
    public TeacherNeeds needs() {
        return needs;
    }

    @Override
    public LossTerms loss(Features student, TeacherOutputs teacher, NDArray labels) {
        NDArray mask = needs.causal() ? teacher.mask() : null; // (B, H_c, W_c), resized per stage by the loss
        Map<String, NDArray> terms = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            int s = stages.get(i);
            NDArray studentMap = AttentionMaps.spatial(student.stage(s)); // (B, C, H, W) -> (B, H, W)
            terms.put("attn" + s, AttentionTransfer.lossOnMaps(studentMap, teacher.map(s), mask).mul(weights.get(i).floatValue()));
        }
        return new LossTerms(terms);
    }
}
