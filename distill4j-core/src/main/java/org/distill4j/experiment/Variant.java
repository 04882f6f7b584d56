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
 * @param teacher the teacher this variant distils from instead of the study's (a run, a saved model, a TorchScript
 *                file or an ensemble: one trained beforehand; or an earlier variant's student of the same seed), or
 *                null: the study's
 */
public record Variant(String name, MethodConfig method, TrainConfig student, TeacherStage teacher) {
    public Variant {
        requireDirectoryName("variant", name);
        ConfigException.require(method != null, "method", null, "a method for variant " + name);
        ConfigException.require(student != null, "student", null, "a student config for variant " + name);
        if (teacher != null && teacher.train() != null) {
            throw new ConfigException("variant " + name + ": teacher: a variant's own teacher must be trained "
                    + "beforehand (give run, model, torchscript, ensemble, variant or member); only the study's teacher: "
                    + "trains (train: {...}, with members: N for an ensemble)");
        }
        if (student.peers() > 1 && !method.labelsOnly()) {
            throw new ConfigException("variant " + name + ": student.peers " + student.peers() + " trains networks by "
                    + "mutual learning, from the labels and each other; give it method student-only (peers: 1 to "
                    + "distil from a teacher)");
        }
        if (teacher != null && method.labelsOnly()) {
            throw new ConfigException("variant " + name + " trains on labels alone, so its teacher: would not be used; "
                    + "drop it or give the variant a distillation method");
        }
    }

    /** A variant taught by the study's teacher. */
    public Variant(String name, MethodConfig method, TrainConfig student) {
        this(name, method, student, null);
    }

    /**
     * True if this variant's teacher is an earlier variant's student of the same seed (a born-again generation): its
     * teacher differs per seed, so it runs online rather than from a bank, and has no teacher row of its own.
     */
    public boolean bornAgain() {
        return teacher != null && teacher.variant() != null;
    }

    /** True if the student learns from labels alone: no teacher is loaded. */
    public boolean labelsOnly() {
        return method.labelsOnly();
    }

    public String describe() {
        if (student.peers() > 1) {
            return "deep mutual learning of " + student.peers() + " peers from scratch: each " + "cross-entropy + mean KL "
                    + "from the others' predictions (T = 1); the row is peer 1, the others are under peers/";
        }
        return labelsOnly() ? "labels only (cross-entropy)"
                : Methods.describe(method) + (teacher != null ? "; teacher: " + teacher.describe() : "");
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
