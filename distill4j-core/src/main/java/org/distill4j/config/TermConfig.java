package org.distill4j.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One weighted term of a {@link MethodConfig}: its kind, its weight in the sum, and the kind's own options (for
 * {@code at}: stages, causal, ...). The options are checked against the kind's config record when the method is
 * resolved ({@code Methods.resolve}), which fills in every default and rejects unknown keys.
 *
 * @param term    the kind, a name in the registry ({@code Methods.terms()})
 * @param weight  w_i in L = sum_i w_i * L_i, &gt;= 0
 * @param options the kind's options by name
 */
public record TermConfig(String term, double weight, Map<String, Object> options) {
    /** The hard-label cross-entropy's kind. */
    public static final String CE = "ce";

    public TermConfig {
        ConfigException.require(term != null && !term.isBlank(), "term", term, "a term kind, e.g. kd, at, crd");
        ConfigException.require(weight >= 0 && Double.isFinite(weight), term + ".weight", weight, ">= 0");
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }
}
