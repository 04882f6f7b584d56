package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.Pooling;
import org.distill4j.loss.Vid;

/**
 * Variational information distillation (Ahn et al., CVPR 2019) at each stage, one value per stage ("vid1"..): a
 * trainable regressor (1x1 conv C_s -> C_t, ReLU, 1x1 C_t -> C_t, ReLU, 1x1 C_t -> C_t, no bias) predicts the mean of
 * the teacher's feature map from the student's and a trainable per-channel variance sigma_c^2 = softplus(alpha_c) +
 * 1e-5 (initialised to 5) scores it ({@link Vid}). The larger map is pooled to the smaller's size first. As in
 * RepDistiller, the variances are parameters trained with the student (mdistiller's list of log-scales leaves them
 * frozen at 5; see docs/methods.md).
 */
public final class VidTerm implements Term {
    /**
     * @param stages       stages to transfer; absent: every stage both networks have
     * @param initVariance sigma^2 at the start (the reference's init_pred_var 5)
     */
    public record Config(List<Integer> stages, double initVariance) {
        public Config {
            stages = stages == null ? null : List.copyOf(stages);
            ConfigException.require(initVariance > Vid.EPS && Double.isFinite(initVariance), "vid.initVariance",
                    initVariance, "> 1e-5");
        }
    }

    public static final Config DEFAULTS = new Config(null, 5.0);

    private final Config config;
    private final PairShapes pair;
    private final List<Integer> stages;
    private final List<Signal.Stage> targets = new ArrayList<>();
    private Parts parts = Parts.NONE;

    public VidTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        this.stages = Terms.stages("vid", "stages", config.stages(), pair);
        stages.forEach(s -> targets.add(Terms.teacherStage(pair, s, false)));
    }

    @Override
    public List<String> names() {
        return stages.stream().map(s -> "vid" + s).toList();
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
    public Parts createParts(Parts.Context context) {
        Parts.Builder b = Parts.builder(context.manager());
        for (int s : stages) {
            long cs = pair.student().channels(s);
            int ct = (int) pair.teacher().channels(s);
            int[] hw = Terms.commonSize(pair, s);
            b.module("regressor" + s, regressor(cs, ct), new Shape(1, cs, hw[0], hw[1]));
            b.module("logScale" + s, new ParameterBlock("alpha", new Shape(ct),
                    new ConstantInitializer((float) Vid.logScaleFor(config.initVariance()))), new Shape(1));
        }
        parts = b.build();
        return parts;
    }

    private static Block regressor(long in, int out) {
        return new SequentialBlock()
                .add(Terms.conv(out, 1, 1, 1, 0, false, in)).add(Activation.reluBlock())
                .add(Terms.conv(out, 1, 1, 1, 0, false, out)).add(Activation.reluBlock())
                .add(Terms.conv(out, 1, 1, 1, 0, false, out));
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            int s = stages.get(i);
            int[] hw = Terms.commonSize(pair, s);
            NDArray student = Pooling.adaptiveAverage(in.student().stage(s), hw[0], hw[1]);
            NDArray mean = parts.forward("regressor" + s, student, true);
            NDArray alpha = parts.forward("logScale" + s, student, true);
            out.put("vid" + s, Vid.loss(mean, in.teacher().get(targets.get(i)), alpha));
        }
        return out;
    }

    @Override
    public String describe() {
        return "VID(stages " + Terms.stageList(stages) + ", sigma^2 init " + Terms.num(config.initVariance()) + ")";
    }
}
