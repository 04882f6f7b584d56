package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.distill4j.train.TrainObjective;

/** Binds a teacher and a method to the training loop: the teacher runs in prepare, the method inside the step. */
public final class DistillObjective implements TrainObjective {
    private final Teacher teacher;
    private final Distiller distiller;
    private final TeacherNeeds needs;
    private final String description;

    public DistillObjective(Teacher teacher, Distiller distiller, String description) {
        this.teacher = teacher;
        this.distiller = distiller;
        this.needs = distiller.needs();
        this.description = description;
    }

    @Override
    public List<String> termNames() {
        return distiller.termNames();
    }

    @Override
    public StudentLoss prepare(NDArray images, NDArray labels) {
        TeacherOutputs t = teacher.outputs(images, labels, needs);
        return student -> distiller.loss(student, t, labels);
    }

    @Override
    public String method() {
        return description;
    }
}
