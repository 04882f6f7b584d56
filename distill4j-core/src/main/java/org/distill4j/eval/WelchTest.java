package org.distill4j.eval;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Welch's two-sample t-test of mean(a) - mean(b), with its confidence interval: the comparison of two variants'
 * accuracies over seeds without assuming their spreads are equal. The standard error is sqrt(s_a^2/n_a + s_b^2/n_b)
 * (sample variances), the degrees of freedom Welch-Satterthwaite's, and the p-value two-sided. Student's t
 * distribution comes from Apache Commons Math.
 *
 * <p>A test needs a spread to measure: with fewer than two values on either side, or no spread at all on both, only
 * the difference is defined and everything else is NaN ({@link #defined()} is false).
 *
 * @param difference       mean(a) - mean(b)
 * @param standardError    the standard error of that difference
 * @param degreesOfFreedom Welch-Satterthwaite's
 * @param t                difference / standardError
 * @param p                two-sided p-value of "the means are equal"
 * @param low              lower end of the {@code level} confidence interval of the difference
 * @param high             upper end
 * @param level            the interval's confidence, e.g. 0.95
 * @param n1               values in a
 * @param n2               values in b
 */
public record WelchTest(double difference, double standardError, double degreesOfFreedom, double t, double p,
        double low, double high, double level, int n1, int n2) {

    /** The confidence of the intervals reports show. */
    public static final double LEVEL = 0.95;

    /** Welch's test of a against b at the 95% level. */
    public static WelchTest of(double[] a, double[] b) {
        return of(a, b, LEVEL);
    }

    public static WelchTest of(double[] a, double[] b, double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level);
        }
        double difference = a.length == 0 || b.length == 0 ? Double.NaN : mean(a) - mean(b);
        double nan = Double.NaN;
        if (a.length < 2 || b.length < 2) {
            return new WelchTest(difference, nan, nan, nan, nan, nan, nan, level, a.length, b.length);
        }
        double va = variance(a) / a.length;
        double vb = variance(b) / b.length;
        double se = Math.sqrt(va + vb);
        if (!(se > 0)) {
            return new WelchTest(difference, se, nan, nan, nan, nan, nan, level, a.length, b.length);
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        TDistribution dist = new TDistribution(null, df, 1e-12);
        double t = difference / se;
        double p = Math.min(1, 2 * dist.cumulativeProbability(-Math.abs(t)));
        double half = dist.inverseCumulativeProbability(0.5 + level / 2) * se;
        return new WelchTest(difference, se, df, t, p, difference - half, difference + half, level, a.length,
                b.length);
    }

    /** Whether there was a spread to test against (two or more values on each side, not all equal). */
    public boolean defined() {
        return !Double.isNaN(p);
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Sample variance (n - 1). */
    private static double variance(double[] xs) {
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return ss / (xs.length - 1);
    }
}
