package org.distill4j.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.ConfigException;

/**
 * An experiment file: one study, or several sharing their settings (for a table over teacher -> student pairs).
 * A file with {@code studies:} is a suite; each study is its {@code shared:} map with the study's own keys
 * merged over it (maps merge key by key; variants merge by name, a study's variant replacing the shared one of its
 * name and others added after them; other values replace). {@code distill4j run} puts study NAME in DIR/NAME.
 * <pre>
 * name: cifar10-hmat-table
 * description: ...
 * shared: {student: {...}, seeds: [1, 2, 3], variants: [...]}
 * studies:
 *   - {name: resnet34-to-resnet18, teacher: {train: {model: resnet34}}}
 * </pre>
 *
 * @param studies the studies; a single-study file gives one, whose directory is DIR itself
 */
public record ExperimentSuite(String name, String description, boolean single, List<ExperimentConfig> studies) {

    public ExperimentSuite {
        studies = List.copyOf(studies);
        Set<String> names = new HashSet<>();
        for (ExperimentConfig c : studies) {
            if (!names.add(c.name())) {
                throw new ConfigException("studies: the name '" + c.name() + "' appears twice (each names a directory)");
            }
        }
    }

    /** Reads an experiment file of either form. */
    public static ExperimentSuite load(Path file) {
        Map<String, Object> raw = ExperimentConfig.readMap(file);
        if (!raw.containsKey("studies")) {
            ExperimentConfig one = ExperimentConfig.load(file);
            return new ExperimentSuite(one.name(), one.description(), true, List.of(one));
        }
        Path base = file.toAbsolutePath().getParent();
        try {
            for (String k : raw.keySet()) {
                if (!Set.of("name", "description", "shared", "studies").contains(k)) {
                    throw new ConfigException("unknown key '" + k + "'; allowed keys of a file with studies: "
                            + String.join(", ", new TreeSet<>(Set.of("name", "description", "shared", "studies"))));
                }
            }
            Map<String, Object> shared = asMap(raw.getOrDefault("shared", Map.of()), "shared");
            if (!(raw.get("studies") instanceof List<?> list) || list.isEmpty()) {
                throw new ConfigException("studies: expected a non-empty list of studies");
            }
            List<ExperimentConfig> studies = new ArrayList<>();
            for (Object o : list) {
                Map<String, Object> study = merge(shared, asMap(o, "studies"));
                study.putIfAbsent("description", raw.get("description"));
                try {
                    studies.add(ExperimentConfig.parse(study, base));
                } catch (ConfigException e) {
                    throw new ConfigException("study " + study.get("name") + ": " + e.getMessage());
                }
            }
            Object name = raw.get("name");
            Object description = raw.get("description");
            if (name != null) {
                Variant.requireDirectoryName("suite", name.toString());
            }
            return new ExperimentSuite(name == null ? file.getFileName().toString() : name.toString(),
                    description == null ? "" : description.toString().strip(), false, studies);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** Where a study's runs and report go under the directory given to {@code distill4j run}. */
    public Path studyDir(Path out, ExperimentConfig study) {
        return single ? out : out.resolve(study.name());
    }

    /** {@code over} merged onto {@code base}: maps key by key (recursively), variants by name, anything else replaced. */
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        over.forEach((k, v) -> {
            if (v instanceof Map<?, ?> && m.get(k) instanceof Map<?, ?>) {
                m.put(k, merge(asMap(m.get(k), k), asMap(v, k)));
            } else if (k.equals("variants") && v instanceof List<?> mine && m.get(k) instanceof List<?> shared) {
                m.put(k, mergeVariants(shared, mine));
            } else {
                m.put(k, v);
            }
        });
        return m;
    }

    /** The shared variants with a study's of the same name in their place, then the study's new ones. */
    private static List<Object> mergeVariants(List<?> shared, List<?> mine) {
        Map<Object, Object> byName = new LinkedHashMap<>();
        for (Object v : shared) {
            byName.put(v instanceof Map<?, ?> map ? map.get("name") : v, v);
        }
        for (Object v : mine) {
            byName.put(v instanceof Map<?, ?> map ? map.get("name") : v, v);
        }
        return new ArrayList<>(byName.values());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String where) {
        if (!(o instanceof Map<?, ?>)) {
            throw new ConfigException(where + ": expected a map, got '" + o + "'");
        }
        return new LinkedHashMap<>((Map<String, Object>) o);
    }
}
