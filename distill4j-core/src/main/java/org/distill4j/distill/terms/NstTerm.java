package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.Nst;

/**
 * Neuron selectivity transfer (Huang &amp; Wang 2017) at each stage, one value per stage ("nst1"..): the squared MMD
 * between the student's and the teacher's normalised channel maps with a polynomial kernel ({@link Nst}).
 */
public final class NstTerm implements Term {
    /** @param stages stages to transfer; absent: every stage both networks have */
    public record Config(List<Integer> stages) {
        public Config {
            stages = stages == null ? null : List.copyOf(stages);
        }
    }

    public static final Config DEFAULTS = new Config(null);

    private final List<Integer> stages;
    private final List<Signal.Stage> targets = new ArrayList<>();

    public NstTerm(Config config, PairShapes pair) {
        this.stages = Terms.stages("nst", "stages", config.stages(), pair);
        stages.forEach(s -> targets.add(Terms.teacherStage(pair, s, false)));
    }

    @Override
    public List<String> names() {
        return stages.stream().map(s -> "nst" + s).toList();
    }

    @Override
    public Set<Signal> teacherSignals() {
        return new TreeSet<>(targets);
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            out.put("nst" + stages.get(i), Nst.loss(in.student().stage(stages.get(i)), in.teacher().get(targets.get(i))));
        }
        return out;
    }

    @Override
    public String describe() {
        return "NST(stages " + Terms.stageList(stages) + ")";
    }
}
