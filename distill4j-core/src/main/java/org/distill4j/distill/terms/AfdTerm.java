package org.distill4j.distill.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.XavierInitializer;
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
import org.distill4j.loss.AttentionFeatureMatching;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.Pooling;

/**
 * KDAFM as attention-based feature matching (AFD, Ji, Heo &amp; Park, AAAI 2021), as its code
 * ({@code clovaai/attention-feature-distillation}) computes it: every residual block's output of the teacher attends
 * over every block of the student. Queries come from the teacher (linear + BatchNorm of each block's channel means),
 * keys from the student (linear + BatchNorm + ReLU, then a shared bilinear linear + BatchNorm to one key per teacher
 * block), plus learnt positional embeddings of both; the values are L2-normalised spatial attention maps
 * ({@link AttentionFeatureMatching}). All heads are trained with the student. Why this paper for the seed's "KDAFM":
 * docs/methods.md. Value "afd" (the sum over teacher blocks).
 */
public final class AfdTerm implements Term {
    /** @param qkDim width of queries and keys (128) */
    public record Config(int qkDim) {
        public Config {
            ConfigException.require(qkDim >= 1 && qkDim <= 4096, "afd.qkDim", qkDim, "1..4096");
        }
    }

    public static final Config DEFAULTS = new Config(128);

    private final Config config;
    private final PairShapes pair;
    private final int teacherBlocks;
    private final int studentBlocks;
    private final List<Shape> uniqueTeacherSizes = new ArrayList<>(); // (H, W) of each distinct teacher block size
    private final int[] sizeOfTeacherBlock;
    private Parts parts = Parts.NONE;

    public AfdTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        this.teacherBlocks = pair.teacher().blocks().size();
        this.studentBlocks = pair.student().blocks().size();
        ConfigException.require(teacherBlocks > 0 && studentBlocks > 0, "afd", pair.describe(),
                "networks with residual blocks (or units)");
        sizeOfTeacherBlock = new int[teacherBlocks];
        for (int t = 0; t < teacherBlocks; t++) {
            Shape hw = pair.teacher().blocks().get(t).slice(1);
            if (!uniqueTeacherSizes.contains(hw)) {
                uniqueTeacherSizes.add(hw);
            }
            sizeOfTeacherBlock[t] = uniqueTeacherSizes.indexOf(hw);
        }
    }

    @Override
    public List<String> names() {
        return List.of("afd");
    }

    @Override
    public Set<Signal> teacherSignals() {
        Set<Signal> out = new TreeSet<>();
        for (int t = 1; t <= teacherBlocks; t++) {
            out.add(new Signal.BlockPooled(t));
            out.add(new Signal.BlockMap(t));
        }
        return out;
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.BLOCKS);
    }

    @Override
    public Parts createParts(Parts.Context context) {
        int q = config.qkDim();
        Parts.Builder b = Parts.builder(context.manager());
        for (int t = 0; t < teacherBlocks; t++) {
            long c = pair.teacher().blocks().get(t).get(0);
            b.module("query" + (t + 1), new SequentialBlock().add(Terms.linear(q, c)).add(BatchNorm.builder().build()),
                    new Shape(2, c));
        }
        for (int s = 0; s < studentBlocks; s++) {
            long c = pair.student().blocks().get(s).get(0);
            b.module("key" + (s + 1), new SequentialBlock().add(Terms.linear(q, c)).add(BatchNorm.builder().build())
                    .add(Activation.reluBlock()), new Shape(2, c));
        }
        b.module("bilinear", new SequentialBlock().add(Terms.linear(q * teacherBlocks, q))
                .add(BatchNorm.builder().build()), new Shape(2, q));
        // xavier_normal_: std sqrt(2 / (fan_in + fan_out)), DJL's Xavier with magnitude 1 over the average
        b.module("positionTeacher", new ParameterBlock("p", new Shape(teacherBlocks, q),
                new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.AVG, 1)),
                new Shape(1));
        b.module("positionStudent", new ParameterBlock("p", new Shape(studentBlocks, q),
                new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.AVG, 1)),
                new Shape(1));
        parts = b.build();
        return parts;
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        int q = config.qkDim();
        List<NDArray> blocks = in.student().blocks();
        long batch = blocks.get(0).getShape().get(0);
        NDList keys = new NDList();
        List<NDArray> studentMaps = new ArrayList<>();
        for (int s = 0; s < studentBlocks; s++) {
            NDArray f = blocks.get(s).clip(0, Float.MAX_VALUE); // post-ReLU, as the reference's features
            keys.add(parts.forward("key" + (s + 1), Pooling.global(f), true)); // (B, q)
            studentMaps.add(AttentionMaps.spatial(f).expandDims(1)); // (B, 1, H, W)
        }
        NDArray stacked = NDArrays.stack(keys, 1).reshape(batch * studentBlocks, q); // (B*S, q)
        NDArray bilinear = parts.forward("bilinear", stacked, true).reshape(batch, studentBlocks, teacherBlocks, q);
        NDList queries = new NDList();
        for (int t = 1; t <= teacherBlocks; t++) {
            queries.add(parts.forward("query" + t, in.teacher().get(new Signal.BlockPooled(t)), true));
        }
        NDArray attention = AttentionFeatureMatching.attention(bilinear, NDArrays.stack(queries, 1),
                parts.forward("positionTeacher", stacked, true), parts.forward("positionStudent", stacked, true));
        List<NDArray> byUniqueSize = new ArrayList<>();
        for (Shape hw : uniqueTeacherSizes) {
            NDList pooled = new NDList();
            for (NDArray map : studentMaps) {
                pooled.add(Pooling.adaptiveAverage(map, hw.get(0), hw.get(1)).reshape(batch, -1)); // (B, h*w)
            }
            byUniqueSize.add(NDArrays.stack(pooled, 1).normalize(2, 2, 1e-12)); // (B, S, h*w)
        }
        List<NDArray> studentValues = new ArrayList<>();
        List<NDArray> teacherValues = new ArrayList<>();
        for (int t = 0; t < teacherBlocks; t++) {
            studentValues.add(byUniqueSize.get(sizeOfTeacherBlock[t]));
            teacherValues.add(AttentionFeatureMatching.value(in.teacher().get(new Signal.BlockMap(t + 1))));
        }
        NDArray total = null;
        for (NDArray l : AttentionFeatureMatching.losses(attention, studentValues, teacherValues)) {
            total = total == null ? l : total.add(l);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("afd", total);
        return out;
    }

    @Override
    public String describe() {
        return "AFD(" + teacherBlocks + " teacher x " + studentBlocks + " student blocks, qk " + config.qkDim() + ")";
    }
}
