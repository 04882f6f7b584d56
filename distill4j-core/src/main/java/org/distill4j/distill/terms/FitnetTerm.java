package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
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
            conv = new TransposedConv(cs, ct); // DJL's Conv2dTranspose is "Not implemented" on the PyTorch engine
            Terms.pytorchInit(conv, ct * 16L); // PyTorch's fan-in of a transposed conv: out_channels * k * k
        } else {
            conv = Terms.conv(ct, (int) (1 + hs - ht), (int) (1 + s.get(2) - t.get(2)), 1, 0, true, cs);
        }
        return new SequentialBlock().add(conv).add(BatchNorm.builder().build()).add(Activation.reluBlock());
    }

    /**
     * PyTorch's {@code ConvTranspose2d(in, out, kernel_size=4, stride=2, padding=1)}, weight (in, out, 4, 4) as
     * PyTorch lays it out, plus bias: the input with a zero after every row and column (2H x 2W), padded by
     * k - 1 - p = 2, convolved with the kernel flipped and its channel axes swapped, the one extra row and column cut.
     */
    static final class TransposedConv extends AbstractBlock {
        private final Parameter weight;
        private final Parameter bias;
        private final long out;

        TransposedConv(long in, long out) {
            super((byte) 1);
            this.out = out;
            weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(in, out, 4, 4)).build());
            bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                    .optShape(new Shape(out)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow(); // (B, C, H, W)
            Shape s = x.getShape();
            long b = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            NDArray cols = x.reshape(b, c, h, 1, w, 1);
            cols = cols.concat(cols.zerosLike(), 5); // (B, C, H, 1, W, 2)
            NDArray dilated = cols.concat(cols.zerosLike(), 3).reshape(b, c, 2 * h, 2 * w); // x at even positions
            NDArray k = ps.getValue(weight, x.getDevice(), training).flip(2, 3).transpose(1, 0, 2, 3); // (out, in, 4, 4)
            NDArray y = Conv2d.conv2d(dilated, k, ps.getValue(bias, x.getDevice(), training), new Shape(1, 1),
                    new Shape(2, 2)).singletonOrThrow(); // (B, out, 2H + 1, 2W + 1)
            return new NDList(y.get(":, :, :{}, :{}", 2 * h, 2 * w));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = inputShapes[0];
            return new Shape[] {new Shape(s.get(0), out, 2 * s.get(2), 2 * s.get(3))};
        }
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
