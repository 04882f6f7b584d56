package org.distill4j.config;

/**
 * A distillation run: the student's training (model, data, optimiser, schedule, as for {@code train}), the
 * method, and the teacher, a finished run directory of {@code train}.
 *
 * @param teacher path of the teacher's run directory
 * @param student how the student is trained
 * @param method  the distillation loss
 */
public record DistillConfig(String teacher, TrainConfig student, MethodConfig method) {
    public DistillConfig {
        ConfigException.require(teacher != null && !teacher.isBlank(), "teacher", teacher,
                "the run directory of a trained teacher");
        ConfigException.require(student != null, "student", null, "a student config");
        ConfigException.require(method != null, "method", null, "a method config");
    }
}
