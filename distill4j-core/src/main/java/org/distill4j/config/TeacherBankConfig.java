package org.distill4j.config;

import java.util.Locale;

/**
 * A teacher bank: the teacher's outputs (logits, attention maps, pooled embeddings, feature maps, causal masks: what
 * the methods read) precomputed for K augmented views of every training image and read back during student training,
 * so the teacher does not run per step.
 *
 * @param views     K, views per image; epoch e shows view (e - 1) mod K. K = epochs is exactly online
 *                  distillation with the same augmentations; without augmentation all views are the same
 *                  image and one is built whatever K says
 * @param seed      seed of the views' crops and flips, shared by every student seed so they share one bank
 * @param precision {@code fp16} (half the disk; see the README for what it costs) or {@code fp32}
 * @param maxGB     the largest bank to build, in GB; a method whose teacher outputs would not fit (whole feature
 *                  maps of a large teacher on a large data set) runs the teacher online instead, and says so
 */
public record TeacherBankConfig(int views, long seed, String precision, Double maxGB) {
    public static final String FP16 = "fp16";
    public static final String FP32 = "fp32";
    /** 8 GB: the feature maps of a width-16 teacher on a few thousand images fit; CIFAR-sized feature banks do not. */
    public static final double DEFAULT_MAX_GB = 8;

    public TeacherBankConfig {
        precision = precision == null ? FP16 : precision.toLowerCase(Locale.ROOT);
        maxGB = maxGB == null ? DEFAULT_MAX_GB : maxGB;
        ConfigException.require(views >= 1 && views <= 10_000, "teacherBank.views", views, "1..10000");
        ConfigException.require(precision.equals(FP16) || precision.equals(FP32), "teacherBank.precision", precision,
                FP16 + " or " + FP32);
        ConfigException.require(maxGB > 0 && Double.isFinite(maxGB), "teacherBank.maxGB", maxGB, "> 0");
    }

    public TeacherBankConfig(int views, long seed, String precision) {
        this(views, seed, precision, null);
    }

    /** Bytes per stored value. */
    public int bytesPerValue() {
        return precision.equals(FP16) ? 2 : 4;
    }

    /** {@link #maxGB} in bytes. */
    public long maxBytes() {
        return (long) (maxGB * 1e9);
    }
}
