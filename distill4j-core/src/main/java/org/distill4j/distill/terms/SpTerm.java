package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.SimilarityPreserving;

/**
 * Similarity-preserving distillation (Tung &amp; Mori, ICCV 2019): the student's batch similarity matrix of a stage's
 * feature maps should match the teacher's. RepDistiller compares each network's last stage (its {@code feat[-2]}),
 * which need not have the same index in both. Value "sp".
 */
public final class SpTerm implements Term {
    /** @param stage the stage of both networks; 0: each network's last stage, as RepDistiller */
    public record Config(int stage) {
        public Config {
            ConfigException.require(stage >= 0 && stage <= 8, "sp.stage", stage, "0 (each network's last) or 1..8");
        }
    }

    public static final Config DEFAULTS = new Config(0);

    private final int studentStage;
    private final Signal.Stage teacher;

    public SpTerm(Config config, PairShapes pair) {
        if (config.stage() > 0) {
            pair.requireStages("sp", "stage", List.of(config.stage()));
        }
        studentStage = config.stage() > 0 ? config.stage() : pair.student().stageCount();
        teacher = new Signal.Stage(config.stage() > 0 ? config.stage() : pair.teacher().stageCount(), false, 0, 0);
    }

    @Override
    public List<String> names() {
        return List.of("sp");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(teacher);
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        return Map.of("sp", SimilarityPreserving.loss(in.student().stage(studentStage), in.teacher().get(teacher)));
    }

    @Override
    public String describe() {
        return "SP(student stage " + studentStage + ", teacher stage " + teacher.stage() + ")";
    }
}
