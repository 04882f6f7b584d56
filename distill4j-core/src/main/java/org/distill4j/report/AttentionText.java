package org.distill4j.report;

import static org.distill4j.report.AttentionSection.shape;
import static org.distill4j.report.AttentionSection.stages;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.distill.Signal;

/** The text of "Where the models look": how to read the maps, which stages are paired, what the IG mask is. */
final class AttentionText {
    private AttentionText() {}

    /**
     * @param student     the student row, or null when none is shown
     * @param studentNote a sentence on which student is shown and why (or why none is)
     * @param needsSource a sentence saying where the IG settings come from
     */
    static String of(ModelProbe.Views teacher, AttentionSection.Student student, String studentNote,
            Signal.Mask needs, String needsSource) {
        int last = teacher.stages();
        StringBuilder t = new StringBuilder();
        t.append("Each map shows where a network's activations are strong: the spatial attention map sum_c A_c^2 "
                + "of a stage's output A (Zagoruyko & Komodakis 2017, section 3.1), from stage 1 (shallow) to the "
                + "network's last stage (deep); under each map is the resolution the network computed it at (the "
                + "teacher's run from " + shape(teacher.mapShapes()[0]) + " at stage 1 to "
                + shape(teacher.mapShapes()[last - 1]) + " at stage " + last + "). Each map is upsampled bilinearly "
                + "to " + AttentionSection.TILE + "x" + AttentionSection.TILE + " and stretched to the full colour "
                + "scale, its lowest point dark and its highest bright yellow (viridis), so compare patterns, not "
                + "brightness, across tiles. These are the maps attention transfer asks the student to reproduce.\n\n");
        t.append(studentNote);
        if (student != null) {
            t.append(' ').append(pairing(teacher.stages(), student.views().stages()));
            t.append(cosines(student.pairs()));
        }
        t.append(String.format(Locale.ROOT, "\n\nThe last teacher tile is the causal mask that weights attention "
                + "transfer in the causal methods: Integrated Gradients (Sundararajan, Taly & Yan 2017) of the true "
                + "class's logit with respect to the teacher's stage-%d features, from a zero baseline in %d steps. "
                + "The attributions are summed over channels, positions that argue against the true class are set "
                + "to 0, each image's mask is divided by its maximum, and %s. %s It is drawn with one block per "
                + "position, dark where the mask is 0.", needs.stage(), needs.steps(),
                needs.top() > 0 && needs.top() < 1
                        ? String.format(Locale.ROOT, "only the top %.0f%% of positions are kept (the rest are 0)",
                                100 * needs.top())
                        : "all positions are kept", needsSource));
        return t.toString();
    }

    /** Which stages are paired, and which have no partner when the stage counts differ. */
    static String pairing(int teacherStages, int studentStages) {
        if (teacherStages == studentStages) {
            return "Teacher and student both have " + teacherStages + " stages, paired stage by stage.";
        }
        int paired = Math.min(teacherStages, studentStages);
        int more = Math.max(teacherStages, studentStages);
        String unpaired = more == paired + 1 ? "stage " + more + " has" : "stages " + (paired + 1) + "-" + more
                + " have";
        return String.format(Locale.ROOT, "The teacher has %d stages and the student %d, so only %s are paired "
                + "(stage s with stage s, as attention transfer pairs them); the %s %s no partner.",
                teacherStages, studentStages, stages(paired), teacherStages > studentStages ? "teacher's" : "student's",
                unpaired);
    }

    private static String cosines(StagePairs pairs) {
        List<String> parts = new ArrayList<>();
        for (int s = 1; s <= pairs.count(); s++) {
            double mean = pairs.mean(s);
            if (!Double.isNaN(mean)) {
                parts.add(String.format(Locale.ROOT, "stage %d %.2f", s, mean));
            }
        }
        if (parts.isEmpty()) {
            return "";
        }
        return " Under each paired student map is its cosine similarity with the teacher's map of the same stage, "
                + "both resized to the smaller of their two sizes as attention transfer compares them (1 = the same "
                + "pattern); averaged over the images shown: " + String.join(", ", parts) + ".";
    }
}
