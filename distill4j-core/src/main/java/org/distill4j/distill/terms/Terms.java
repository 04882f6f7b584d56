package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.UniformInitializer;
import java.util.List;
import java.util.stream.Collectors;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Signal;
import org.distill4j.loss.Pooling;
import org.distill4j.model.Features;

/** What several terms share: stage lists, common sizes, the layers their parts are built from, number formatting. */
final class Terms {
    private Terms() {}

    /** The stages a term reads: the configured ones, checked against both networks, or every stage both have. */
    static List<Integer> stages(String term, String key, List<Integer> configured, PairShapes pair) {
        List<Integer> stages = configured == null ? allStages(pair) : configured;
        pair.requireStages(term, key, stages);
        return stages;
    }

    /** Per-stage weights: one per stage, or none (all 1). */
    static void requireWeights(String key, List<Double> weights, List<Integer> stages) {
        if (weights == null || weights.isEmpty()) {
            return;
        }
        ConfigException.require(stages == null || weights.size() == stages.size(), key, weights,
                "one weight per stage (" + (stages == null ? "all" : stages.size()) + ")");
        for (double w : weights) {
            ConfigException.require(w >= 0 && Double.isFinite(w), key, weights, "weights >= 0");
        }
    }

    static double weight(List<Double> weights, int i) {
        return weights == null || weights.isEmpty() ? 1.0 : weights.get(i);
    }

    /** (h, w): the smaller of the two networks' sizes at stage s, where the references compare them. */
    static int[] commonSize(PairShapes pair, int s) {
        return new int[] {(int) Math.min(pair.student().height(s), pair.teacher().height(s)),
                (int) Math.min(pair.student().width(s), pair.teacher().width(s))};
    }

    /** The teacher's attention map of stage s at the common size (its own when that is its size). */
    static Signal.AttentionMap teacherMap(PairShapes pair, int s) {
        int[] hw = commonSize(pair, s);
        boolean own = pair.teacher().height(s) == hw[0] && pair.teacher().width(s) == hw[1];
        return new Signal.AttentionMap(s, own ? 0 : hw[0], own ? 0 : hw[1]);
    }

    /** The teacher's stage-s features (or pre-activation) at the common size. */
    static Signal.Stage teacherStage(PairShapes pair, int s, boolean preact) {
        int[] hw = commonSize(pair, s);
        boolean own = pair.teacher().height(s) == hw[0] && pair.teacher().width(s) == hw[1];
        return new Signal.Stage(s, preact, own ? 0 : hw[0], own ? 0 : hw[1]);
    }

    /** The student's stage-s output pooled to the common size. */
    static NDArray studentStage(Features student, PairShapes pair, int s) {
        int[] hw = commonSize(pair, s);
        return Pooling.adaptiveAverage(student.stage(s), hw[0], hw[1]);
    }

    /** A linear layer with bias, initialised as PyTorch's nn.Linear: U(-1/sqrt(in), 1/sqrt(in)) for both. */
    static Block linear(int units, long in) {
        Linear l = Linear.builder().setUnits(units).optBias(true).build();
        pytorchInit(l, in);
        return l;
    }

    /** A convolution initialised as PyTorch's nn.Conv2d (bound 1/sqrt(in * k * k) for weights and bias). */
    static Block conv(int filters, int kernelH, int kernelW, int stride, int padding, boolean bias, long in) {
        Conv2d c = Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernelH, kernelW))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding)).optBias(bias).build();
        pytorchInit(c, in * kernelH * kernelW);
        return c;
    }

    /** kaiming_uniform(a = sqrt 5) as PyTorch's layers default to: U(-b, b) with b = 1/sqrt(fan_in). */
    static void pytorchInit(Block block, long fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        block.setInitializer(new UniformInitializer(bound), Parameter.Type.WEIGHT);
        block.setInitializer(new UniformInitializer(bound), Parameter.Type.BIAS);
    }

    static String stageList(List<Integer> stages) {
        return stages.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** 1000 rather than 1000.0; 0.1 as it is. */
    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }

    /** 1..n for the n stages both networks have. */
    static List<Integer> allStages(PairShapes pair) {
        return java.util.stream.IntStream.rangeClosed(1, pair.commonStages()).boxed().toList();
    }
}
