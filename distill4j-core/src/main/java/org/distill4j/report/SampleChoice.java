package org.distill4j.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which test images the report explains. The soft-target story is clearest on an image the teacher gets right
 * without being sure (a near-certain prediction puts almost nothing on the wrong classes at T = 1), and the page
 * reads better with one image per class. So, in order of preference: correct with top-1 probability in
 * [{@link #LOW}, {@link #HIGH}] of a class not shown yet, then of any class; then correct; then the first test
 * images. Deterministic: the scan is in test-set order.
 */
final class SampleChoice {
    static final double LOW = 0.4;
    static final double HIGH = 0.95;

    /** How well an image suits the section: 0 best. */
    static final int UNSURE_AND_RIGHT = 0;
    static final int RIGHT = 1;
    static final int ANY = 2;

    private SampleChoice() {}

    /**
     * @param labels true classes of the scanned images
     * @param logits the teacher's logits for them, (N, K)
     * @param count  how many to choose (fewer if fewer were scanned)
     * @return positions in the scanned images, best first
     */
    static List<Integer> choose(int[] labels, float[][] logits, int count) {
        int[] tier = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            tier[i] = tier(labels[i], logits[i]);
        }
        Set<Integer> chosen = new LinkedHashSet<>();
        Set<Integer> classes = new HashSet<>();
        for (int t = UNSURE_AND_RIGHT; t <= ANY; t++) {
            for (boolean newClassOnly : new boolean[] {true, false}) {
                for (int i = 0; i < labels.length && chosen.size() < count; i++) {
                    if (tier[i] <= t && !chosen.contains(i) && (!newClassOnly || !classes.contains(labels[i]))) {
                        chosen.add(i);
                        classes.add(labels[i]);
                    }
                }
            }
        }
        return new ArrayList<>(chosen);
    }

    /**
     * True when scanning more images cannot improve the choice: {@code count} preferred images, of
     * {@code min(count, K)} distinct classes.
     */
    static boolean complete(int[] labels, float[][] logits, int count) {
        Set<Integer> classes = new HashSet<>();
        int preferred = 0;
        for (int i = 0; i < labels.length; i++) {
            if (tier(labels[i], logits[i]) == UNSURE_AND_RIGHT) {
                classes.add(labels[i]);
                preferred++;
            }
        }
        int numClasses = labels.length == 0 ? 0 : logits[0].length;
        return preferred >= count && classes.size() >= Math.min(count, numClasses);
    }

    static int tier(int label, float[] logits) {
        double[] p = SoftTargetSection.probabilities(logits, 1);
        int top = argMax(p);
        if (top != label) {
            return ANY;
        }
        return p[top] >= LOW && p[top] <= HIGH ? UNSURE_AND_RIGHT : RIGHT;
    }

    static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
