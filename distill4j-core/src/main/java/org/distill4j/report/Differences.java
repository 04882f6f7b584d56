package org.distill4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.distill4j.distill.Methods;
import org.distill4j.eval.Holm;
import org.distill4j.eval.WelchTest;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.Variant;

/**
 * The table's statistics: every variant against the student trained on labels alone and against KD (and a born-again
 * generation against the generation that taught it), as the
 * difference of their mean top-1 over seeds with Welch's 95% confidence interval and p-value, the p-values
 * Holm-corrected across the whole table. A difference is called significant only when its corrected p-value is
 * below {@link Holm#ALPHA}; the word is used for nothing else.
 */
public final class Differences {
    /**
     * @param label        the variant's label in the table
     * @param variant      its name in the experiment file
     * @param against      the reference variant's name (student-only or kd)
     * @param againstLabel the reference's label
     * @param test         Welch's test of variant minus reference, in percentage points
     * @param holmP        the p-value Holm-corrected across the table (NaN when there is no test)
     */
    public record Comparison(String label, String variant, String against, String againstLabel, WelchTest test,
            double holmP) {
        public boolean significant() {
            return holmP < Holm.ALPHA;
        }

        /** "KD − Student only" style: what is subtracted from what. */
        public String name() {
            return label + " − " + againstLabel;
        }
    }

    static final String TITLE = "Differences between rows, with their statistics";

    static final List<String> HEADERS = List.of("Comparison", "Δ top-1 (points)", "95% CI (Welch)", "Δ / SE", "p",
            "p (Holm)", "Seeds", "Holm p < 0.05");

    private Differences() {}

    /**
     * Each variant against student-only, then each against KD, then each born-again generation against the one that
     * taught it (neither against itself, no pair twice).
     */
    public static List<Comparison> of(ExperimentResults r) {
        ExperimentConfig c = r.config();
        List<double[]> top1 = new ArrayList<>();
        List<String> names = c.variants().stream().map(Variant::name).toList();
        List<int[]> generations = new ArrayList<>();
        for (int i = 0; i < c.variants().size(); i++) {
            top1.add(top1(r, i));
            Variant v = c.variants().get(i);
            if (v.bornAgain()) {
                generations.add(new int[] {i, names.indexOf(v.teacher().variant())});
            }
        }
        return compare(names, ReportTable.labels(c), top1, ReportTable.referenceRow(c), kdRow(c), generations);
    }

    /**
     * @param names  the variants' names, in table order
     * @param labels their labels
     * @param top1   their top-1 per finished seed, %
     * @param base   the student-only row (-1: none)
     * @param kd     the KD row (-1: none)
     */
    static List<Comparison> compare(List<String> names, List<String> labels, List<double[]> top1, int base, int kd) {
        return compare(names, labels, top1, base, kd, List.of());
    }

    /** @param extra further pairs {variant, reference}, such as a generation and its teacher; repeats are left out */
    static List<Comparison> compare(List<String> names, List<String> labels, List<double[]> top1, int base, int kd,
            List<int[]> extra) {
        List<int[]> pairs = new ArrayList<>();
        for (int reference : new int[] {base, kd}) {
            if (reference < 0) {
                continue;
            }
            for (int i = 0; i < names.size(); i++) {
                if (i != reference && !(reference == kd && i == base)) {
                    pairs.add(new int[] {i, reference});
                }
            }
        }
        for (int[] e : extra) {
            boolean seen = pairs.stream().anyMatch(p -> (p[0] == e[0] && p[1] == e[1]) || (p[0] == e[1] && p[1] == e[0]));
            if (!seen && e[0] != e[1] && e[1] >= 0) {
                pairs.add(e);
            }
        }
        List<WelchTest> tests = new ArrayList<>();
        for (int[] p : pairs) {
            tests.add(WelchTest.of(top1.get(p[0]), top1.get(p[1])));
        }
        double[] holm = Holm.adjust(tests.stream().mapToDouble(WelchTest::p).toArray());
        List<Comparison> out = new ArrayList<>();
        for (int k = 0; k < pairs.size(); k++) {
            int[] p = pairs.get(k);
            out.add(new Comparison(labels.get(p[0]), names.get(p[0]), names.get(p[1]), labels.get(p[1]),
                    tests.get(k), holm[k]));
        }
        return out;
    }

    /** A variant's final top-1 per finished seed, in percent. */
    static double[] top1(ExperimentResults r, int variant) {
        return r.variants().get(variant).finished().stream().mapToDouble(m -> 100 * m.top1()).toArray();
    }

    /**
     * The KD row comparisons are also made against: the variant named kd, else the first with the kd preset that
     * learns from a teacher rather than from another variant (a born-again generation).
     */
    static int kdRow(ExperimentConfig c) {
        List<Variant> vs = c.variants();
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).name().equals("kd")) {
                return i;
            }
        }
        String kd = Methods.describe(Methods.preset("kd"));
        for (int i = 0; i < vs.size(); i++) {
            if (!vs.get(i).labelsOnly() && !vs.get(i).bornAgain() && Methods.describe(vs.get(i).method()).equals(kd)) {
                return i;
            }
        }
        return -1;
    }

    /** The comparison of a variant against a reference, or null if the table has none. */
    public static Comparison find(List<Comparison> all, String variant, String against) {
        return all.stream().filter(x -> x.variant().equals(variant) && x.against().equals(against)).findFirst()
                .orElse(null);
    }

    /** The formatted cells of a comparison, in the order of {@link #HEADERS}. */
    static List<String> cells(Comparison x) {
        WelchTest t = x.test();
        String ci = t.defined() ? String.format(Locale.ROOT, "[%+.2f, %+.2f]", t.low(), t.high()) : "—";
        return List.of(x.name(), Double.isNaN(t.difference()) ? "—" : String.format(Locale.ROOT, "%+.2f",
                        t.difference()), ci, t.defined() ? String.format(Locale.ROOT, "%.1f", t.t()) : "—",
                pValue(t.p()), pValue(x.holmP()), t.n1() + " vs " + t.n2(),
                !t.defined() ? "no test" : x.significant() ? "yes: significant" : "no");
    }

    /** "0.003", "0.21", "< 0.0001"; "—" for no test. */
    public static String pValue(double p) {
        if (Double.isNaN(p)) {
            return "—";
        }
        if (p < 1e-4) {
            return "< 0.0001";
        }
        return String.format(Locale.ROOT, p < 0.01 ? "%.4f" : "%.3f", p);
    }

    /** How to read the table, and what it found, in words. */
    static String reading(List<Comparison> all) {
        long tested = all.stream().filter(x -> x.test().defined()).count();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Each row is a difference of mean top-1 over "
                + "seeds, in points, with Welch's 95%% confidence interval (unequal spreads, Welch-Satterthwaite "
                + "degrees of freedom), the difference in standard errors of the difference (Welch's t) and its "
                + "two-sided p-value; \"p (Holm)\" corrects the %d p-values of this table "
                + "together for being read at once (Holm's step-down method), and the last column says yes when that is "
                + "below 0.05. An interval is for one comparison on its own; the corrected p-value is the one to read "
                + "across the table.", tested));
        if (tested < all.size()) {
            sb.append(" A row without a test has fewer than two finished seeds on a side, or no spread at all.");
        }
        List<String> yes = all.stream().filter(Comparison::significant).map(x -> String.format(Locale.ROOT,
                "%s %+.2f (Holm p %s)", x.name(), x.test().difference(), pValue(x.holmP()))).toList();
        sb.append(yes.isEmpty() ? " No difference in this table passes that test after the correction."
                : " After the correction, significant: " + String.join("; ", yes) + ".");
        return sb.toString();
    }

    /** The table as a report section: rendered right after the comparison table. */
    static ReportSection section(List<Comparison> all) {
        List<List<String>> rows = all.stream().map(Differences::cells).toList();
        return new ReportSection(TITLE, reading(all), List.of(), HEADERS, rows);
    }

    /** The table as GitHub-flavoured Markdown, for the terminal. */
    public static String markdown(List<Comparison> all) {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", HEADERS)).append(" |\n|");
        for (int i = 0; i < HEADERS.size(); i++) {
            sb.append(i == 0 ? ":---|" : i == HEADERS.size() - 1 ? ":---|" : "---:|");
        }
        sb.append('\n');
        for (Comparison x : all) {
            sb.append("| ").append(String.join(" | ", cells(x).stream().map(MarkdownPage::escape).toList()))
                    .append(" |\n");
        }
        return sb.toString();
    }
}
