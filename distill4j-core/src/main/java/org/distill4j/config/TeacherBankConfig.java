package org.distill4j.config;

import java.util.Locale;

/**
 * A teacher bank: the teacher's outputs (logits, attention maps, causal masks) precomputed for K augmented views
 * of every training image and read back during student training, so the teacher does not run per step.
 *
 * @param views     K, views per image; epoch e shows view (e - 1) mod K. K = epochs is exactly online
 *                  distillation with the same augmentations; without augmentation all views are the same
 *                  image and one is built whatever K says
 * @param seed      seed of the views' crops and flips, shared by every student seed so they share one bank
 * @param precision {@code fp16} (half the disk; see the README for what it costs) or {@code fp32}
 */
public record TeacherBankConfig(int views, long seed, String precision) {
    public static final String FP16 = "fp16";
    public static final String FP32 = "fp32";

    public TeacherBankConfig {
        precision = precision == null ? FP16 : precision.toLowerCase(Locale.ROOT);
        ConfigException.require(views >= 1 && views <= 10_000, "teacherBank.views", views, "1..10000");
        ConfigException.require(precision.equals(FP16) || precision.equals(FP32), "teacherBank.precision", precision,
                FP16 + " or " + FP32);
    }

    /** Bytes per stored value. */
    public int bytesPerValue() {
        return precision.equals(FP16) ? 2 : 4;
    }
}
