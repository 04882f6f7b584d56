package org.distill4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Holds out part of each class of an image folder that has no val/ folder: class-balanced, and seeded by the class
 * name alone, so the same folder splits the same way on every machine and adding a class leaves the others' splits
 * alone. Images keep their sorted order on both sides.
 */
final class FolderSplit {
    // Any fixed value works; changing it changes every folder's split (and so invalidates every cache entry).
    private static final long SEED = 20_240_917L;

    /** The two sides: {@code train} and {@code val}. */
    record Parts(List<FolderScan.ImageFile> train, List<FolderScan.ImageFile> val) {
    }

    private FolderSplit() {
    }

    /** Splits the images, given sorted by class then name, holding out {@link #heldOut} of each class. */
    static Parts split(List<FolderScan.ImageFile> images, List<String> classNames, double valFraction) {
        List<FolderScan.ImageFile> train = new ArrayList<>();
        List<FolderScan.ImageFile> val = new ArrayList<>();
        for (int label = 0; label < classNames.size(); label++) {
            int l = label;
            List<FolderScan.ImageFile> ofClass = new ArrayList<>(images.stream().filter(f -> f.label() == l).toList());
            ofClass.sort(Comparator.comparing(FolderScan.ImageFile::relative)); // the seed sees the same order everywhere
            boolean[] held = chooseHeldOut(ofClass.size(), heldOut(ofClass.size(), valFraction), classNames.get(label));
            for (int i = 0; i < ofClass.size(); i++) {
                (held[i] ? val : train).add(ofClass.get(i));
            }
        }
        return new Parts(train, val);
    }

    /**
     * {@code round(n * fraction)}, but at least one image so every class is validated, and never all of them so
     * every class is trained; a class of one image stays in training.
     */
    static int heldOut(int n, double fraction) {
        if (n < 2) {
            return 0;
        }
        return (int) Math.max(1, Math.min(n - 1, Math.round(n * fraction)));
    }

    /** Marks {@code k} of {@code n} positions: the first {@code k} of a permutation seeded by the class name. */
    static boolean[] chooseHeldOut(int n, int k, String className) {
        int[] order = Seeds.permutation(n, new SplittableRandom(Seeds.mix(SEED, className.hashCode())));
        boolean[] held = new boolean[n];
        for (int i = 0; i < k; i++) {
            held[order[i]] = true;
        }
        return held;
    }
}
