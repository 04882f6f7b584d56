package org.distill4j.data;

import java.util.SplittableRandom;

/**
 * Augmentation drawn per image and view rather than per batch: view v of record i always gets the same crop
 * offsets and flip, drawn from (seed, i, v), whatever batch it lands in. Epoch e (1-based) shows every image's
 * view (e - 1) mod K. This is what lets a teacher bank precompute the teacher's outputs on exactly the images the
 * student will see (FKD, Shen &amp; Xing 2022; "consistent" teaching, Beyer et al. 2022).
 *
 * @param seed  the view seed; independent of the student's seed, so every seed of a study sees the same views
 *              (and can share one bank)
 * @param views K, the number of distinct views per image
 */
public record ViewSchedule(long seed, int views) {
    public ViewSchedule {
        if (views < 1) {
            throw new IllegalArgumentException("a view schedule needs at least 1 view per image, got " + views);
        }
    }

    /** The view every image shows in a 1-based epoch: (epoch - 1) mod K. */
    public int view(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs are 1-based, got " + epoch);
        }
        return (epoch - 1) % views;
    }

    /** The random stream of one (record, view) pair; the same pair always yields the same stream. */
    SplittableRandom random(int record, int view) {
        return new SplittableRandom(Seeds.mix(seed, record, view));
    }
}
