package org.distill4j.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm's step-down correction for many comparisons read together (Holm 1979): with m p-values sorted ascending,
 * the i-th (from 0) becomes max over j <= i of min(1, (m - j) * p_(j)). It keeps the chance of calling any true
 * null "significant" at the level asked, across the whole family, and is never less powerful than Bonferroni.
 */
public final class Holm {
    /** The family-wise level reports call a difference significant at. */
    public static final double ALPHA = 0.05;

    private Holm() {}

    /**
     * @param p the family's p-values; NaN entries (no test) are not counted in m and stay NaN
     * @return the adjusted p-values, in the order given
     */
    public static double[] adjust(double[] p) {
        for (double x : p) {
            if (!Double.isNaN(x) && (x < 0 || x > 1)) {
                throw new IllegalArgumentException("a p-value must be in [0, 1], got " + x);
            }
        }
        Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed()
                .sorted(Comparator.comparingDouble(i -> p[i])).toArray(Integer[]::new);
        double[] adjusted = new double[p.length];
        Arrays.fill(adjusted, Double.NaN);
        int m = order.length;
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            running = Math.max(running, Math.min(1, (m - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
