package org.distill4j.experiment;

import org.distill4j.config.ConfigException;
import org.distill4j.config.MethodConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.distill.Methods;

/**
 * One row of the study: a student trained with one method, over every seed of the experiment.
 *
 * @param name    the row's name, also its directory under students/ (letters, digits, '-', '_', '.')
 * @param method  the distillation loss (the preset student-only trains on labels alone)
 * @param student how the student is trained (the experiment's student with this variant's overrides)
 */
public record Variant(String name, MethodConfig method, TrainConfig student) {
    public Variant {
        requireDirectoryName("variant", name);
        ConfigException.require(method != null, "method", null, "a method for variant " + name);
        ConfigException.require(student != null, "student", null, "a student config for variant " + name);
    }

    /** True if the student learns from labels alone: no teacher is loaded. */
    public boolean labelsOnly() {
        return method.labelsOnly();
    }

    public String describe() {
        return labelsOnly() ? "labels only (cross-entropy)" : Methods.describe(method);
    }

    /**
     * Fails unless {@code name} can name a directory inside the study's without escaping it: letters, digits, '-',
     * '_' and '.', starting with a letter or digit (so never "..", an absolute path or a hidden file).
     */
    static void requireDirectoryName(String kind, String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(kind + " name '" + name + "' must be letters, digits, '-', '_' or '.', starting "
                    + "with a letter or digit (it names a directory)");
        }
    }
}
