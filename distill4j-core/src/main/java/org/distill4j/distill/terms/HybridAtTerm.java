package org.distill4j.distill.terms;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.AttentionTransfer;
import org.distill4j.loss.HybridAttention;
import org.distill4j.loss.Pooling;

/**
 * Hybrid attention transfer (H-AT, Qu et al., PRCV 2020), as its code ({@code somone23412/H-AT}, {@code hybrid_loss})
 * computes it. At stage i of n, shallow to deep, with k_i = decay^(i - n) (0.01, 0.1, 1 for three stages): a spatial
 * term atScale * k_i * AT_i and a channel term k_i * (1 - cos(e_s, e_t))^2 on the L2-normalised channel embeddings
 * (global averages of ReLU(BN(stage output))). When the widths differ at a stage, the code compares the teacher's
 * first C_s channels there and drops the channel term, except at the last stage, where it keeps the C_s teacher
 * channels of largest normalised batch standard deviation, chosen once on the first batch (kept as state). Values
 * "hat-at1".., "hat-ch1"...
 */
public final class HybridAtTerm implements Term {
    /**
     * @param stages  stages, shallow to deep; absent: every stage both networks have
     * @param atScale the spatial term's factor over the channel term's (100 in the code)
     * @param decay   ratio of each stage's weight to the previous one's (10)
     */
    public record Config(List<Integer> stages, double atScale, double decay) {
        public Config {
            stages = stages == null ? null : List.copyOf(stages);
            ConfigException.require(atScale >= 0 && Double.isFinite(atScale), "hat.atScale", atScale, ">= 0");
            ConfigException.require(decay > 0 && Double.isFinite(decay), "hat.decay", decay, "> 0");
        }
    }

    public static final Config DEFAULTS = new Config(null, 100, 10);

    private final Config config;
    private final PairShapes pair;
    private final List<Integer> stages;
    private final List<Signal> spatial = new ArrayList<>(); // a map where widths agree, else the feature map
    private Parts parts = Parts.NONE;

    public HybridAtTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        this.stages = Terms.stages("hat", "stages", config.stages(), pair);
        for (int s : stages) {
            spatial.add(sameWidth(s) ? Terms.teacherMap(pair, s) : Terms.teacherStage(pair, s, false));
        }
    }

    private boolean sameWidth(int s) {
        return pair.student().channels(s) == pair.teacher().channels(s);
    }

    private boolean last(int i) {
        return i == stages.size() - 1;
    }

    private boolean channelTerm(int i) {
        return sameWidth(stages.get(i)) || last(i);
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            names.add("hat-at" + stages.get(i));
            if (channelTerm(i)) {
                names.add("hat-ch" + stages.get(i));
            }
        }
        return names;
    }

    @Override
    public Set<Signal> teacherSignals() {
        Set<Signal> out = new TreeSet<>(spatial);
        for (int i = 0; i < stages.size(); i++) {
            if (channelTerm(i)) {
                out.add(new Signal.Channels(stages.get(i)));
            }
        }
        return out;
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES, Read.PREACTS);
    }

    @Override
    public Parts createParts(Parts.Context context) {
        int last = stages.get(stages.size() - 1);
        if (sameWidth(last)) {
            return Parts.NONE;
        }
        int[] unset = new int[(int) pair.student().channels(last)];
        Arrays.fill(unset, -1);
        parts = Parts.builder(context.manager()).state("selected", context.manager().create(unset)).build();
        return parts;
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        int n = stages.size();
        for (int i = 0; i < n; i++) {
            int s = stages.get(i);
            double k = Math.pow(config.decay(), i - (n - 1));
            NDArray student = AttentionMaps.spatial(Terms.studentStage(in.student(), pair, s));
            NDArray teacherMap;
            NDArray es = null;
            NDArray et = null;
            if (channelTerm(i)) {
                es = HybridAttention.embedding(Pooling.global(in.student().preact(s).clip(0, Float.MAX_VALUE)));
                et = HybridAttention.embedding(in.teacher().get(new Signal.Channels(s))); // over all C_t channels
            }
            if (sameWidth(s)) {
                teacherMap = in.teacher().get(spatial.get(i));
            } else {
                NDArray features = in.teacher().get(spatial.get(i)); // (B, C_t, h, w)
                NDArray channels = last(i) ? selected(et) // the code's quirk elsewhere: the first C_s channels
                        : in.student().logits().getManager().arange((int) pair.student().channels(s));
                NDIndex pick = new NDIndex(":, {}", channels.toType(DataType.INT64, false));
                teacherMap = AttentionMaps.spatial(features.get(pick));
                if (last(i)) {
                    et = et.get(pick);
                }
            }
            out.put("hat-at" + s, AttentionTransfer.lossOnMaps(student, teacherMap, null).mul(Scalars.of((float) (config.atScale() * k))));
            if (channelTerm(i)) {
                out.put("hat-ch" + s, HybridAttention.channelLoss(es, et).mul(Scalars.of((float) k)));
            }
        }
        return out;
    }

    /** The teacher channels of the last stage: chosen on the first batch and kept. */
    private NDArray selected(NDArray teacherEmbeddings) {
        int[] chosen = parts.state("selected").toIntArray();
        if (chosen[0] < 0) {
            chosen = topByNormalisedStd(teacherEmbeddings.toFloatArray(), (int) teacherEmbeddings.getShape().get(0),
                    (int) teacherEmbeddings.getShape().get(1), chosen.length);
            parts.setState("selected", teacherEmbeddings.getManager().create(chosen));
        }
        return parts.state("selected");
    }

    /**
     * The {@code keep} columns of a (rows x cols) matrix with the largest standard deviation over rows (n - 1), in
     * increasing order: the code's n_std and top_n_index (dividing by the norm of all deviations changes no order).
     */
    static int[] topByNormalisedStd(float[] values, int rows, int cols, int keep) {
        double[] std = new double[cols];
        for (int c = 0; c < cols; c++) {
            double mean = 0;
            for (int r = 0; r < rows; r++) {
                mean += values[r * cols + c];
            }
            mean /= rows;
            double ss = 0;
            for (int r = 0; r < rows; r++) {
                double d = values[r * cols + c] - mean;
                ss += d * d;
            }
            std[c] = Math.sqrt(ss / Math.max(1, rows - 1));
        }
        return IntStream.range(0, cols).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -std[c]).thenComparingInt(c -> c))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    @Override
    public String describe() {
        return "H-AT(stages " + Terms.stageList(stages) + ", AT x" + Terms.num(config.atScale()) + ", decay "
                + Terms.num(config.decay()) + ")";
    }
}
