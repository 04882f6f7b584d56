package org.distill4j.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A distillation method: a weighted sum of named loss terms, L = sum_i w_i * L_i. Each term names its kind
 * ({@code ce}, {@code kd}, {@code at}, {@code crd}, ...) and carries that kind's options; the seed's total
 * L = alpha * L_KD + beta * L_Align + gamma * L_Attn is the preset {@code seed}. Presets by name, the term kinds
 * and their options are in {@code org.distill4j.distill.Methods}, which also resolves every default, so a stored
 * config states every number that ran.
 *
 * @param name  the preset this method came from, or the user's name for an explicit list (informational)
 * @param terms the weighted terms, in the order their values are logged (history.csv) and summed
 */
public record MethodConfig(String name, List<TermConfig> terms) {

    public MethodConfig {
        ConfigException.require(name != null && !name.isBlank(), "method.name", name, "a name for the method");
        ConfigException.require(terms != null && !terms.isEmpty(), "method.terms", terms,
                "at least one term, e.g. [{term: ce, weight: 1}]");
        terms = List.copyOf(terms);
        Set<String> seen = new HashSet<>();
        for (TermConfig t : terms) {
            ConfigException.require(seen.add(t.term()), "method.terms", t.term(),
                    "each term kind once per method (" + t.term() + " appears twice)");
        }
        ConfigException.require(terms.stream().anyMatch(t -> t.weight() > 0), "method.terms.weight", 0,
                "at least one weight > 0");
    }

    /** True when every term is the hard-label cross-entropy: no teacher is needed. */
    public boolean labelsOnly() {
        return terms.stream().allMatch(t -> t.term().equals(TermConfig.CE) || t.weight() == 0);
    }

    /** The term of kind {@code term}, or null. */
    public TermConfig term(String term) {
        return terms.stream().filter(t -> t.term().equals(term)).findFirst().orElse(null);
    }
}
