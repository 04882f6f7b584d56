package org.distill4j.distill;

import java.util.Set;
import java.util.TreeSet;

/**
 * What a method needs the teacher to compute for each batch, so the teacher does no work nobody uses.
 *
 * @param mapStages   stages whose attention maps are needed
 * @param causal      whether the IG causal mask is needed
 * @param causalStage teacher stage IG explains
 * @param igSteps     IG steps m
 * @param causalTop   top fraction kept in the mask (0 or 1: all)
 */
public record TeacherNeeds(Set<Integer> mapStages, boolean causal, int causalStage, int igSteps, double causalTop) {

    public static TeacherNeeds logitsOnly() {
        return new TeacherNeeds(Set.of(), false, 3, 16, 0);
    }

    /** Whether one bank can serve both: at most one needs a mask, or both need the same one. */
    public boolean sharesMaskWith(TeacherNeeds other) {
        return !causal || !other.causal || (causalStage == other.causalStage && igSteps == other.igSteps
                && causalTop == other.causalTop);
    }

    /** The union of two methods' needs (causal settings from whichever needs the mask). */
    public TeacherNeeds and(TeacherNeeds other) {
        Set<Integer> stages = new TreeSet<>(mapStages);
        stages.addAll(other.mapStages);
        TeacherNeeds c = causal ? this : other;
        return new TeacherNeeds(Set.copyOf(stages), causal || other.causal, c.causalStage, c.igSteps, c.causalTop);
    }
}
