package org.distill4j.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.distill4j.eval.Metrics;
import org.distill4j.eval.WelchTest;
import org.distill4j.experiment.ExperimentConfig;
import org.distill4j.experiment.ExperimentResults;
import org.distill4j.experiment.ExperimentResults.VariantResult;
import org.distill4j.experiment.Variant;

/**
 * The report's section on the methods themselves: per variant, what it trains beside the student, where its teacher
 * outputs came from, what a training image cost against labels alone, and how far its top-1 is from labels alone
 * with its Welch interval and Holm-corrected reading; then a plain reading of the table, and what the seed's ambiguous names
 * (KDAFM, HMAT) stand for here.
 */
final class MethodsSection {
    static final String TITLE = "Methods: what each costs and what it changed";

    private MethodsSection() {}

    static ReportSection build(ExperimentResults r) {
        ExperimentConfig c = r.config();
        int reference = ReportTable.referenceRow(c);
        List<String> labels = ReportTable.labels(c);
        double baseCost = reference < 0 ? Double.NaN : secondsPerImage(r.variants().get(reference));
        List<Differences.Comparison> differences = Differences.of(r);
        List<List<String>> rows = new ArrayList<>();
        List<String> above = new ArrayList<>();
        List<String> below = new ArrayList<>();
        int within = 0;
        int tested = 0;
        Set<String> notes = new LinkedHashSet<>();
        for (int i = 0; i < c.variants().size(); i++) {
            Variant v = c.variants().get(i);
            VariantResult result = r.variants().get(i);
            String reading = "—";
            String delta = "—";
            Differences.Comparison x = reference < 0 ? null
                    : Differences.find(differences, v.name(), c.variants().get(reference).name());
            if (x != null && !Double.isNaN(x.test().difference())) {
                WelchTest t = x.test();
                delta = t.defined() ? String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", t.difference(), t.low(),
                        t.high()) : String.format(Locale.ROOT, "%+.2f", t.difference());
                if (!t.defined()) {
                    reading = "no test: too few seeds or no spread";
                } else {
                    tested++;
                    if (x.significant()) {
                        reading = (t.difference() > 0 ? "gain" : "loss") + ", significant (Holm p "
                                + Differences.pValue(x.holmP()) + ")";
                        (t.difference() > 0 ? above : below).add(labels.get(i));
                    } else {
                        reading = "no difference shown (Holm p " + Differences.pValue(x.holmP()) + ")";
                        within++;
                    }
                }
            }
            double cost = secondsPerImage(result) / baseCost;
            Metrics first = result.finished().isEmpty() ? null : result.finished().get(0);
            rows.add(List.of(labels.get(i), v.labelsOnly() ? "labels only" : methodOf(v),
                    first == null || first.methodParams() == null ? "—"
                            : String.format(Locale.ROOT, "%,d", first.methodParams()),
                    teacherSource(result), Double.isNaN(cost) ? "—" : String.format(Locale.ROOT, "%.2f", cost), delta,
                    reading));
            v.method().terms().forEach(t -> {
                if (t.term().equals("afd") && t.weight() > 0) {
                    notes.add(KDAFM);
                }
                if (t.term().equals("hmat") && t.weight() > 0) {
                    notes.add(HMAT);
                }
            });
            if (first != null && first.teacherSource() != null && first.teacherSource().startsWith("online: ")) {
                notes.add(labels.get(i) + " ran the teacher online: " + first.teacherSource().substring(8) + ".");
            }
        }
        StringBuilder text = new StringBuilder();
        text.append("Each row: what the method adds to the student's loss; the learnable parameters it trains beside "
                + "the student (regressors, embedding and attention heads: counted here, not in the table's Params, "
                + "and not part of the exported student); where its teacher outputs came from; its training time per "
                + "image over labels alone's, on this machine; and its top-1 difference to labels alone, ± the "
                + "Welch 95% confidence interval of that difference over seeds, read with the p-value Holm-corrected "
                + "across the report's table of differences.");
        text.append("\n--\n");
        if (reference < 0) {
            text.append("There is no student-only variant, so no difference to labels alone is read.");
        } else {
            text.append(reading(above, below, within, tested, c.seeds().size()));
        }
        notes.forEach(n -> text.append("\n\n").append(n));
        return new ReportSection(TITLE, text.toString(), List.of(), List.of("Variant", "Method", "Method params",
                "Teacher outputs", "Train time x", "Δ top-1 vs student only [95% CI]", "Reading"), rows);
    }

    static final String KDAFM = "KDAFM is taken to be attention-based feature matching (AFD: Ji, Heo & Park, \"Show, "
            + "Attend and Distill\", AAAI 2021), not adversarial feature-map distillation (Chung et al., ICML 2020): "
            + "\"KD via AFM\" fits the acronym, it is an attention method as the seed's other comparisons are, and its "
            + "official code covers ResNets and WRNs only, which matches the blanks in the seed's ShuffleNetV2 columns. "
            + "No paper titled \"KD via adversarial feature manipulation\", the seed's own gloss, was found.";

    static final String HMAT = "HMAT is reconstructed from its abstract (its text is paywalled and it has no published "
            + "code): position-based attention on the low stages and channel-based attention on the last, DANet-style "
            + "parameter-free affinities compared by KL divergence, and attention transfer on the mid and high stages. "
            + "Its rows measure that reconstruction, not the paper's method (docs/methods.md).";

    private static String reading(List<String> above, List<String> below, int within, int tested, int seeds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Reading the table with %d seed%s per row: ", seeds, seeds == 1 ? "" : "s"));
        if (tested == 0) {
            return sb.append("no row has the two finished seeds a side needs for a test.").toString();
        }
        if (above.isEmpty()) {
            sb.append("no method's difference from labels alone passes the Holm-corrected test at 0.05");
        } else {
            sb.append(above.size()).append(above.size() == 1 ? " method beat" : " methods beat")
                    .append(" labels alone significantly (").append(String.join(", ", above)).append(")");
        }
        if (!below.isEmpty()) {
            sb.append("; ").append(below.size()).append(" fell significantly below it (")
                    .append(String.join(", ", below)).append(")");
        }
        sb.append(String.format(Locale.ROOT, "; for %d the data do not show a difference from it at 0.05 after the "
                + "correction, so their order says nothing yet.", within));
        sb.append(" The test is Welch's, its p-value Holm-corrected across every comparison of the table, at 0.05; "
                + "with few seeds it has little power, so \"no difference shown\" is not \"no difference\".");
        return sb.toString();
    }

    private static String methodOf(Variant v) {
        String d = v.describe();
        int colon = d.indexOf(": ");
        return colon < 0 ? d : d.substring(colon + 2);
    }

    private static String teacherSource(VariantResult v) {
        Set<String> sources = new LinkedHashSet<>();
        for (Metrics m : v.finished()) {
            String s = m.teacherSource();
            sources.add(s == null ? "none" : s.startsWith("bank") ? "bank" : s.startsWith("online: ") ? "online (too large "
                    + "for the bank)" : s);
        }
        return sources.isEmpty() ? "—" : String.join(", ", sources);
    }

    /** Training seconds per image seen, mean over the finished seeds. */
    private static double secondsPerImage(VariantResult v) {
        double[] s = v.finished().stream().filter(m -> m.epochs() > 0 && m.trainImages() > 0)
                .mapToDouble(m -> m.trainSeconds() / ((double) m.epochs() * m.trainImages())).toArray();
        return ReportTable.mean(s);
    }
}
