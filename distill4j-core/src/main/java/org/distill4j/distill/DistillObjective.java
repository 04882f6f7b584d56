package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Set;
import org.distill4j.data.ViewSchedule;
import org.distill4j.train.ObjectiveParts;
import org.distill4j.train.TrainObjective;

/**
 * Binds a teacher and a method to the training loop: the teacher's signals are fetched in prepare (by running it, or
 * from a bank), the method's loss is computed inside the step, and the method's parts are created in bind.
 */
public final class DistillObjective implements TrainObjective {
    private final TeacherSource teacher;
    private final Method method;
    private final Set<Signal> signals;
    private final ViewSchedule views;
    private final String source;

    /** Online distillation: the teacher runs on every batch. */
    public DistillObjective(Teacher teacher, Method method) {
        this(teacher, method, null, "online");
    }

    /**
     * @param views  the schedule the batches must follow for {@code teacher} to know them (a bank's), or null
     * @param source where the teacher's outputs come from, for metrics.json ("online", "bank FILE", "online: why")
     */
    public DistillObjective(TeacherSource teacher, Method method, ViewSchedule views, String source) {
        this.teacher = teacher;
        this.method = method;
        this.signals = method.teacherSignals();
        this.views = views;
        this.source = source;
    }

    @Override
    public String teacherSource() {
        return source;
    }

    @Override
    public ViewSchedule views() {
        return views;
    }

    @Override
    public List<String> termNames() {
        return method.termNames();
    }

    @Override
    public ObjectiveParts bind(Context context) {
        return method.createParts(new Parts.Context(context.manager(), context.trainLabels(), context.numClasses(),
                context.seed()));
    }

    @Override
    public StudentLoss prepare(NDArray images, NDArray labels, Step step) {
        TeacherOutputs t = teacher.outputs(images, labels, step.indices(), step.views(), signals);
        return student -> method.loss(new TermInput(student, t, labels, step.indices(), step.epoch(), step.batch()));
    }

    @Override
    public String method() {
        return method.describe();
    }
}
