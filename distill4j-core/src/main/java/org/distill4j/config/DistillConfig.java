package org.distill4j.config;

/**
 * A distillation run: the student's training (model, data, optimiser, schedule, as for {@code train}), the
 * method, and the teacher, a finished run directory of {@code train}.
 *
 * @param teacher path of the teacher's run directory
 * @param student how the student is trained
 * @param method  the distillation loss
 * @param teacherBank where the teacher's outputs come from: null runs the teacher on every batch (online); a bank
 *                config precomputes them once for K views per image
 */
public record DistillConfig(String teacher, TrainConfig student, MethodConfig method, TeacherBankConfig teacherBank) {
    public DistillConfig {
        ConfigException.require(teacher != null && !teacher.isBlank(), "teacher", teacher,
                "the run directory of a trained teacher");
        ConfigException.require(student != null, "student", null, "a student config");
        ConfigException.require(method != null, "method", null, "a method config");
    }

    /** Online distillation: the teacher runs on every batch. */
    public DistillConfig(String teacher, TrainConfig student, MethodConfig method) {
        this(teacher, student, method, null);
    }

    /** The same run with another teacher path (runs are matched by the teacher's SHA-256, not its path). */
    public DistillConfig withTeacher(String path) {
        return new DistillConfig(path, student, method, teacherBank);
    }
}
