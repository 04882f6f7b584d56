package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The held-out split of a folder without val/: balanced, and the same on every machine. */
class FolderSplitTest {
    private static List<FolderScan.ImageFile> files(List<String> classes, int perClass) {
        List<FolderScan.ImageFile> files = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (int i = 0; i < perClass; i++) {
                String rel = "train/" + classes.get(c) + "/img" + String.format("%03d", i) + ".png";
                files.add(new FolderScan.ImageFile(Path.of(rel), rel, c, 100, 0));
            }
        }
        return files;
    }

    private static List<String> names(List<FolderScan.ImageFile> files) {
        return files.stream().map(FolderScan.ImageFile::relative).toList();
    }

    @Test
    void heldOutIsTheRoundedShareButAtLeastOneAndNeverAll() {
        assertEquals(0, FolderSplit.heldOut(1, 0.5));
        assertEquals(1, FolderSplit.heldOut(2, 0.1));
        assertEquals(1, FolderSplit.heldOut(10, 0.1));
        assertEquals(3, FolderSplit.heldOut(10, 0.25));
        assertEquals(10, FolderSplit.heldOut(100, 0.1));
        assertEquals(4, FolderSplit.heldOut(5, 0.9));
    }

    @Test
    void everyClassGivesItsShareAndBothSidesStaySorted() {
        List<String> classes = List.of("ant", "bee", "cat");
        FolderSplit.Parts parts = FolderSplit.split(files(classes, 20), classes, 0.2);
        assertEquals(48, parts.train().size());
        assertEquals(12, parts.val().size());
        for (int c = 0; c < 3; c++) {
            int k = c;
            assertEquals(4, parts.val().stream().filter(f -> f.label() == k).count(), classes.get(c));
        }
        assertEquals(names(parts.train()).stream().sorted().toList(), names(parts.train()));
        assertEquals(names(parts.val()).stream().sorted().toList(), names(parts.val()));
    }

    @Test
    void theSplitDependsOnNamesNotOnListingOrderOrOtherClasses() {
        List<String> classes = List.of("ant", "bee", "cat");
        List<FolderScan.ImageFile> sorted = files(classes, 20);
        List<FolderScan.ImageFile> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(names(FolderSplit.split(sorted, classes, 0.2).val()),
                names(FolderSplit.split(shuffled, classes, 0.2).val()));
        // Adding a class leaves the others' held-out images as they were.
        List<String> more = List.of("aardvark", "ant", "bee", "cat");
        List<String> beeBefore = names(FolderSplit.split(sorted, classes, 0.2).val()).stream()
                .filter(n -> n.contains("/bee/")).toList();
        List<String> beeAfter = names(FolderSplit.split(files(more, 20), more, 0.2).val()).stream()
                .filter(n -> n.contains("/bee/")).toList();
        assertEquals(beeBefore, beeAfter);
        // Different classes draw different images.
        assertNotEquals(Arrays.toString(FolderSplit.chooseHeldOut(20, 4, "ant")),
                Arrays.toString(FolderSplit.chooseHeldOut(20, 4, "bee")));
    }

    @Test
    void heldOutImagesArePinned() {
        // Pinned so that a change to the seed, the mixing or the shuffle, which would re-split every user's folder
        // (and move images between train and val across versions), cannot go unnoticed.
        boolean[] held = FolderSplit.chooseHeldOut(10, 3, "cat");
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < held.length; i++) {
            if (held[i]) {
                indices.add(i);
            }
        }
        assertEquals(List.of(4, 7, 8), indices);
        assertArrayEquals(held, FolderSplit.chooseHeldOut(10, 3, "cat"));
    }
}
