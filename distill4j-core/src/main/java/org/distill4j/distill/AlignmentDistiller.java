package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Set;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.InfoNce;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * Contrastive alignment in attention space (the seed's L_Align): each image's student attention map should be
 * closer to the same image's teacher map than to the other images' teacher maps in the batch. Maps are
 * flattened and L2-normalised, similarity = cosine / tau, InfoNCE over the batch (van den Oord et al. 2018).
 * Term "align".
 */
public final class AlignmentDistiller implements Distiller {
    private final int stage;
    private final double tau;

    public AlignmentDistiller(int stage, double tau) {
        this.stage = stage;
        this.tau = tau;
    }

    @Override
    public List<String> termNames() {
        return List.of("align");
    }

    @Override
    public TeacherNeeds needs() {
        return new TeacherNeeds(Set.of(stage), false, 3, 16, 0);
    }

    @Override
    public LossTerms loss(Features student, TeacherOutputs teacher, NDArray labels) {
        NDArray s = AttentionMaps.spatial(student.stage(stage)); // (B, H, W)
        NDArray t = teacher.map(stage); // (B, H', W')
        long h = Math.min(s.getShape().get(1), t.getShape().get(1));
        long w = Math.min(s.getShape().get(2), t.getShape().get(2));
        NDArray qs = AttentionMaps.normalized(AttentionMaps.resize(s, h, w)); // (B, h*w)
        NDArray qt = AttentionMaps.normalized(AttentionMaps.resize(t, h, w)); // (B, h*w)
        return LossTerms.of("align", InfoNce.loss(qs, qt, tau));
    }
}
