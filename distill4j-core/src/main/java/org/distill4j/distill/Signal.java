package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.loss.Pooling;
import org.distill4j.model.Features;

/**
 * One tensor a term reads from the frozen teacher, per image: what {@link Teacher} computes and a
 * {@link TeacherBank} stores. Each has a canonical key ("logits", "map2@8x8", "mask3/16/0.0", ...) that names
 * it in banks and messages. Signals are derived from the teacher's {@link Features} where a term needs less
 * than a whole feature map (an attention map, a pooled vector), so a bank stays small.
 */
public sealed interface Signal extends Comparable<Signal> {

    /** The canonical key; {@link #parse} reads it back. */
    String key();

    /**
     * Whether a half-precision bank stores it divided by its per-record largest magnitude: raw features and sums of
     * squares can exceed fp16's range; logits and masks (in [0, 1]) are stored as they are.
     */
    default boolean scaled() {
        return true;
    }

    /** Its value for a batch, from the teacher's features (all but {@link Mask}, which needs Integrated Gradients). */
    NDArray compute(Features teacher);

    @Override
    default int compareTo(Signal o) {
        return key().compareTo(o.key());
    }

    /** The logits, (B, K). */
    record Logits() implements Signal {
        @Override
        public String key() {
            return "logits";
        }

        @Override
        public boolean scaled() {
            return false;
        }

        @Override
        public NDArray compute(Features t) {
            return t.logits();
        }
    }

    /** The pooled embedding the classifier reads, (B, d). */
    record Pooled() implements Signal {
        @Override
        public String key() {
            return "pooled";
        }

        @Override
        public NDArray compute(Features t) {
            return t.pooled();
        }
    }

    /**
     * A stage's output (post-activation, or before it with {@code preact}), adaptive-average-pooled to
     * {@code height x width} when those are non-zero, (B, C, h, w).
     */
    record Stage(int stage, boolean preact, int height, int width) implements Signal {
        @Override
        public String key() {
            return (preact ? "preact" : "stage") + stage + size(height, width);
        }

        @Override
        public NDArray compute(Features t) {
            NDArray f = preact ? t.preact(stage) : t.stage(stage);
            return height == 0 ? f : Pooling.adaptiveAverage(f, height, width);
        }
    }

    /**
     * The attention map sum_c A^2 of a stage's output (Zagoruyko &amp; Komodakis 2017), taken after pooling the feature
     * map to {@code height x width} when those are non-zero, as the reference implementations do, (B, h, w).
     */
    record AttentionMap(int stage, int height, int width) implements Signal {
        @Override
        public String key() {
            return "map" + stage + size(height, width);
        }

        @Override
        public NDArray compute(Features t) {
            NDArray f = t.stage(stage);
            return AttentionMaps.spatial(height == 0 ? f : Pooling.adaptiveAverage(f, height, width));
        }
    }

    /**
     * A stage's channel vector: the global average of ReLU(pre-activation output), (B, C). For post-activation
     * networks this is the pooled stage output; for WRNs it pools ReLU(BN(stage output)) as H-AT does.
     */
    record Channels(int stage) implements Signal {
        @Override
        public String key() {
            return "channels" + stage;
        }

        @Override
        public NDArray compute(Features t) {
            return Pooling.global(t.preact(stage).clip(0, Float.MAX_VALUE));
        }
    }

    /** A residual block's (or unit's) output after ReLU, averaged over space, (B, C); AFD's query input. */
    record BlockPooled(int block) implements Signal {
        @Override
        public String key() {
            return "blockPooled" + block;
        }

        @Override
        public NDArray compute(Features t) {
            return Pooling.global(blockOutput(t, block));
        }
    }

    /** A residual block's output after ReLU as an attention map sum_c A^2, (B, H, W); AFD's value. */
    record BlockMap(int block) implements Signal {
        @Override
        public String key() {
            return "blockMap" + block;
        }

        @Override
        public NDArray compute(Features t) {
            return AttentionMaps.spatial(blockOutput(t, block));
        }
    }

    /**
     * The causal mask of the seed's method: Integrated Gradients of the true class's logit with respect to a
     * stage's output, through the teacher's tail, positive part per position, normalised to [0, 1], (B, H, W).
     *
     * @param stage teacher stage IG explains
     * @param steps IG's Riemann steps m
     * @param top   keep only this top fraction of each mask's positions (0 or 1: all)
     */
    record Mask(int stage, int steps, double top) implements Signal {
        @Override
        public String key() {
            return "mask" + stage + "/" + steps + "/" + top;
        }

        @Override
        public boolean scaled() {
            return false;
        }

        @Override
        public NDArray compute(Features t) {
            throw new UnsupportedOperationException("a causal mask needs Integrated Gradients: Teacher.outputs computes it");
        }
    }

    private static NDArray blockOutput(Features t, int block) {
        if (block < 1 || block > t.blocks().size()) {
            throw new IllegalArgumentException("block must be in 1.." + t.blocks().size() + ", got " + block);
        }
        return t.blocks().get(block - 1).clip(0, Float.MAX_VALUE); // (B, C, H, W), post-ReLU
    }

    private static String size(int height, int width) {
        return height == 0 ? "" : "@" + height + "x" + width;
    }

    Pattern SIZED = Pattern.compile("(stage|preact|map)(\\d+)(?:@(\\d+)x(\\d+))?");
    Pattern INDEXED = Pattern.compile("(channels|blockPooled|blockMap)(\\d+)");
    Pattern MASK = Pattern.compile("mask(\\d+)/(\\d+)/([0-9.eE+-]+)");

    /** Reads a {@link #key()} back. */
    static Signal parse(String key) {
        if (key.equals("logits")) {
            return new Logits();
        }
        if (key.equals("pooled")) {
            return new Pooled();
        }
        Matcher m = SIZED.matcher(key);
        if (m.matches()) {
            int stage = Integer.parseInt(m.group(2));
            int h = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            int w = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
            return m.group(1).equals("map") ? new AttentionMap(stage, h, w)
                    : new Stage(stage, m.group(1).equals("preact"), h, w);
        }
        m = INDEXED.matcher(key);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(2));
            return switch (m.group(1)) {
                case "channels" -> new Channels(i);
                case "blockPooled" -> new BlockPooled(i);
                default -> new BlockMap(i);
            };
        }
        m = MASK.matcher(key);
        if (m.matches()) {
            return new Mask(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3)));
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "not a teacher signal: '%s'", key));
    }
}
