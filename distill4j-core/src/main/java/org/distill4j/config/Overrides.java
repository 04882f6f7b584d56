package org.distill4j.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Applies a map of overrides (from a YAML file or from command-line options) to a config record: keys
 * must be the record's component names, anything else is an error naming the allowed keys. A file or
 * a command line thus states only what differs from the defaults (or from a stored run's config).
 */
public final class Overrides {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Overrides() {}

    public static <T extends Record> T apply(T base, Map<String, ?> overrides) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) base.getClass();
        List<String> allowed = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        for (String key : overrides.keySet()) {
            if (!allowed.contains(key)) {
                throw new ConfigException("unknown key '" + key + "'; allowed keys: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> merged = MAPPER.convertValue(base, LinkedHashMap.class);
        merged.putAll(overrides);
        try {
            return MAPPER.convertValue(merged, type);
        } catch (IllegalArgumentException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof ConfigException ce) {
                    throw ce;
                }
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException("cannot apply " + overrides + ": " + firstLine(cause.getMessage()));
        }
    }

    /** Keys whose values differ between two configs of the same type. */
    public static <T extends Record> Map<String, Object[]> differences(T a, T b) {
        @SuppressWarnings("unchecked")
        Map<String, Object> ma = MAPPER.convertValue(a, LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> mb = MAPPER.convertValue(b, LinkedHashMap.class);
        Map<String, Object[]> diff = new LinkedHashMap<>();
        ma.forEach((k, v) -> {
            if (!java.util.Objects.equals(v, mb.get(k))) {
                diff.put(k, new Object[] {v, mb.get(k)});
            }
        });
        return diff;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
