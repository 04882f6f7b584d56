package org.distill4j.distill.terms;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
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
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.AttentionTransfer;
import org.distill4j.loss.MultiAttention;

/**
 * HMAT-style hierarchical multi-attention transfer (Gou et al., ACM TOMM 2022), reconstructed from its abstract (the
 * paper is paywalled and has no published code; docs/methods.md says how): position-based attention on the low-level
 * stages, channel-based attention on the high-level stages, activation-based attention (AT) on the mid- and
 * high-level stages. With n stages both networks have, low is 1..n/2, high is n and mid what lies between, unless
 * given. Position and channel attention are DANet's parameter-free affinities compared by KL ({@link MultiAttention});
 * for channel attention a trainable 1x1 convolution maps the student's channels to the teacher's. Values "pos1"..,
 * "chan4".., "attn3".., each already multiplied by its weight.
 */
public final class HmatTerm implements Term {
    /**
     * @param positionStages stages with position attention; absent: 1..n/2
     * @param channelStages  stages with channel attention; absent: n
     * @param atStages       stages with attention transfer; absent: n/2+1..n
     * @param tau            softmax temperature of both affinities (cosines / tau)
     * @param positionWeight weight of each position term
     * @param channelWeight  weight of each channel term
     * @param atWeight       weight of each AT term (AT's usual 1000: unit maps give differences near 1e-3)
     */
    public record Config(List<Integer> positionStages, List<Integer> channelStages, List<Integer> atStages, double tau,
            double positionWeight, double channelWeight, double atWeight) {
        public Config {
            positionStages = positionStages == null ? null : List.copyOf(positionStages);
            channelStages = channelStages == null ? null : List.copyOf(channelStages);
            atStages = atStages == null ? null : List.copyOf(atStages);
            ConfigException.require(tau > 0 && Double.isFinite(tau), "hmat.tau", tau, "> 0");
            for (double w : new double[] {positionWeight, channelWeight, atWeight}) {
                ConfigException.require(w >= 0 && Double.isFinite(w), "hmat weights", w, ">= 0");
            }
        }
    }

    public static final Config DEFAULTS = new Config(null, null, null, 0.1, 1, 1, 1000);

    private final Config config;
    private final PairShapes pair;
    private final List<Integer> position;
    private final List<Integer> channel;
    private final List<Integer> at;
    private final List<Signal> signals = new ArrayList<>();
    private Parts parts = Parts.NONE;

    public HmatTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
        int n = pair.commonStages();
        int low = Math.max(1, n / 2);
        this.position = Terms.stages("hmat", "positionStages", config.positionStages() != null
                ? config.positionStages() : range(1, low), pair);
        this.channel = Terms.stages("hmat", "channelStages", config.channelStages() != null
                ? config.channelStages() : List.of(n), pair);
        this.at = Terms.stages("hmat", "atStages", config.atStages() != null ? config.atStages() : range(low + 1, n),
                pair);
        position.forEach(s -> signals.add(Terms.teacherStage(pair, s, false)));
        channel.forEach(s -> signals.add(Terms.teacherStage(pair, s, false)));
        at.forEach(s -> signals.add(Terms.teacherMap(pair, s)));
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        position.forEach(s -> names.add("pos" + s));
        channel.forEach(s -> names.add("chan" + s));
        at.forEach(s -> names.add("attn" + s));
        return names;
    }

    @Override
    public Set<Signal> teacherSignals() {
        return new TreeSet<>(signals);
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.STAGES);
    }

    @Override
    public Parts createParts(Parts.Context context) {
        Parts.Builder b = Parts.builder(context.manager());
        for (int s : channel) {
            long cs = pair.student().channels(s);
            int ct = (int) pair.teacher().channels(s);
            int[] hw = Terms.commonSize(pair, s);
            b.module("adapter" + s, Terms.conv(ct, 1, 1, 1, 0, false, cs), new Shape(1, cs, hw[0], hw[1]));
        }
        parts = b.build();
        return parts;
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int s : position) {
            NDArray student = MultiAttention.logPosition(Terms.studentStage(in.student(), pair, s), config.tau());
            NDArray teacher = MultiAttention.logPosition(in.teacher().get(Terms.teacherStage(pair, s, false)),
                    config.tau());
            out.put("pos" + s, MultiAttention.divergence(student, teacher).mul(Scalars.of((float) config.positionWeight())));
        }
        for (int s : channel) {
            NDArray adapted = parts.forward("adapter" + s, Terms.studentStage(in.student(), pair, s), true);
            NDArray student = MultiAttention.logChannel(adapted, config.tau());
            NDArray teacher = MultiAttention.logChannel(in.teacher().get(Terms.teacherStage(pair, s, false)),
                    config.tau());
            out.put("chan" + s, MultiAttention.divergence(student, teacher).mul(Scalars.of((float) config.channelWeight())));
        }
        for (int s : at) {
            NDArray student = AttentionMaps.spatial(Terms.studentStage(in.student(), pair, s));
            out.put("attn" + s, AttentionTransfer.lossOnMaps(student, in.teacher().get(Terms.teacherMap(pair, s)), null)
                    .mul(Scalars.of((float) config.atWeight())));
        }
        return out;
    }

    @Override
    public String describe() {
        return "HMAT-style(position " + Terms.stageList(position) + ", channel " + Terms.stageList(channel) + ", AT "
                + Terms.stageList(at) + ", tau=" + Terms.num(config.tau()) + ")";
    }
}
