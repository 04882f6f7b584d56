package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.distill4j.data.ViewSchedule;
import org.distill4j.train.TrainObjective;

/**
 * Binds a teacher and a method to the training loop: the teacher's outputs are fetched in prepare (by running it,
 * or from a bank), the method's loss is computed inside the step.
 */
public final class DistillObjective implements TrainObjective {
    private final TeacherSource teacher;
    private final Distiller distiller;
    private final TeacherNeeds needs;
    private final String description;
    private final ViewSchedule views;

    /** Online distillation: the teacher runs on every batch. */
    public DistillObjective(Teacher teacher, Distiller distiller, String description) {
        this(teacher, distiller, description, null);
    }

    /**
     * @param views the schedule the batches must follow for {@code teacher} to know them (a bank's), or null
     */
    public DistillObjective(TeacherSource teacher, Distiller distiller, String description, ViewSchedule views) {
        this.teacher = teacher;
        this.distiller = distiller;
        this.needs = distiller.needs();
        this.description = description;
        this.views = views;
    }

    @Override
    public ViewSchedule views() {
        return views;
    }

    @Override
    public List<String> termNames() {
        return distiller.termNames();
    }

    @Override
    public StudentLoss prepare(NDArray images, NDArray labels, int[] indices, int[] views) {
        TeacherOutputs t = teacher.outputs(images, labels, indices, views, needs);
        return student -> distiller.loss(student, t, labels);
    }

    @Override
    public String method() {
        return description;
    }
}
