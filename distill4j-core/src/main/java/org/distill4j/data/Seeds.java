package org.distill4j.data;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from tuples like (seed, epoch, batch), so that epoch 7 of a resumed run draws
 * exactly what epoch 7 of an uninterrupted run drew, whatever happened before it.
 */
final class Seeds {
    private Seeds() {
    }

    /** Mixes the parts into one seed with SplitMix64's finaliser, so nearby tuples give unrelated streams. */
    static long mix(long... parts) {
        long h = 0x243F6A8885A308D3L; // pi's fraction bits: any odd constant that is not zero works
        for (long part : parts) {
            h = finalise(h ^ finalise(part + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
