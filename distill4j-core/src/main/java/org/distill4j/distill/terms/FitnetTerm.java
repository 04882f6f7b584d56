package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2dTranspose;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.Hint;

/**
 * FitNets (Romero et al., ICLR 2015): the student's hint stage, through a trainable regressor, should reproduce the
 * teacher's. The regressor is RepDistiller's {@code ConvReg}: a 3x3 stride-2 conv when the student's map is twice
 * the teacher's side, a 4x4 stride-2 transposed conv when it is half, else a conv of kernel 1 + H_s - H_t; then
 * BatchNorm and ReLU. It is trained jointly with the student from the first step, as RepDistiller and mdistiller do
 * (the paper trains it in a first stage of its own). Value "hint".
 */
public final class FitnetTerm implements Term {
    /** @param stage the hint stage (RepDistiller's hint_layer 2: the 16x16 stage of a CIFAR ResNet) */
    public record Config(int stage) {
        public Config {
            ConfigException.require(stage >= 1 && stage <= 8, "fitnet.stage", stage, "1..8");
        }
    }

    public static final Config DEFAULTS = new Config(2);

    private final Config config;
    private final PairShapes pair;
    private final Signal.Stage hint;
    private Parts parts = Parts.NONE;

    public FitnetTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        pair.requireStages("fitnet", "stage", List.of(config.stage()));
        long hs = pair.student().height(config.stage());
        long ht = pair.teacher().height(config.stage());
        ConfigException.require(hs == 2 * ht || 2 * hs == ht || hs >= ht, "fitnet.stage", config.stage(),
                "a stage where the student's map is at least the teacher's size or half of it (student "
                        + hs + ", teacher " + ht + ")");
        this.hint = new Signal.Stage(config.stage(), false, 0, 0);
    }

    @Override
    public List<String> names() {
        return List.of("hint");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(hint);
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Parts createParts(Parts.Context context) {
        Shape s = pair.student().stage(config.stage());
        Shape t = pair.teacher().stage(config.stage());
        parts = Parts.builder(context.manager())
                .module("regressor", regressor(s, t), new Shape(1, s.get(0), s.get(1), s.get(2)))
                .build();
        return parts;
    }

    /** ConvReg: (C_s, H_s, W_s) -> (C_t, H_t, W_t). */
    static Block regressor(Shape s, Shape t) {
        int ct = (int) t.get(0);
        long cs = s.get(0);
        long hs = s.get(1);
        long ht = t.get(1);
        Block conv;
        if (hs == 2 * ht) {
            conv = Terms.conv(ct, 3, 3, 2, 1, true, cs);
        } else if (2 * hs == ht) {
            conv = Conv2dTranspose.builder().setFilters(ct).setKernelShape(new Shape(4, 4))
                    .optStride(new Shape(2, 2)).optPadding(new Shape(1, 1)).build();
            Terms.pytorchInit(conv, ct * 16L); // PyTorch's fan-in of a transposed conv: out_channels * k * k
        } else {
            conv = Terms.conv(ct, (int) (1 + hs - ht), (int) (1 + s.get(2) - t.get(2)), 1, 0, true, cs);
        }
        return new SequentialBlock().add(conv).add(BatchNorm.builder().build()).add(Activation.reluBlock());
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        NDArray regressed = parts.forward("regressor", in.student().stage(config.stage()), true);
        return Map.of("hint", Hint.loss(regressed, in.teacher().get(hint)));
    }

    @Override
    public String describe() {
        return "FitNets(stage " + config.stage() + ", ConvReg)";
    }
}
