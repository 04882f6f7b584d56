package org.distill4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Pairing of teacher and student stages, on hand-made 1-image maps. */
class StagePairsTest {
    private static final double EPS = 1e-6;

    @Test
    void pairsStagesUpToTheSmallerCountAndComparesAtTheSmallerSize() {
        // teacher: 4 stages; stage 1 is 4x4, bright in its top-left 2x2 block, which averages to [[1, 0], [0, 0]]
        float[] topLeft4x4 = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        ModelProbe.Views teacher = views(new float[][] {topLeft4x4, {1, 0, 0, 0}, {0, 1}, {1}},
                new int[][] {{4, 4}, {2, 2}, {1, 2}, {1, 1}});
        // student: 3 stages; stage 1 is 2x2 with the same pattern, stage 2 the opposite corner, stage 3 half of it
        ModelProbe.Views student = views(new float[][] {{2, 0, 0, 0}, {0, 0, 0, 3}, {1, 1}},
                new int[][] {{2, 2}, {2, 2}, {1, 2}});
        try (NDManager manager = NDManager.newBaseManager()) {
            StagePairs pairs = StagePairs.of(teacher, student, manager);

            assertEquals(3, pairs.count(), "stage 4 of the teacher has no partner");
            assertEquals(3, pairs.cosines()[0].length);
            assertEquals(1.0, pairs.cosines()[0][0], EPS, "4x4 averaged to 2x2 blocks: the same pattern");
            assertEquals(0.0, pairs.cosines()[0][1], EPS, "opposite corners");
            assertEquals(1 / Math.sqrt(2), pairs.cosines()[0][2], EPS, "[0, 1] . [1, 1] / sqrt 2");
            assertEquals(1 / Math.sqrt(2), pairs.mean(3), EPS);
        }
    }

    @Test
    void anAllZeroMapHasNoCosineAndIsLeftOutOfTheMean() {
        assertTrue(Double.isNaN(StagePairs.cosine(new float[] {0, 0}, new float[] {1, 2})));
        StagePairs pairs = new StagePairs(1, new double[][] {{Double.NaN}, {0.5}, {0.25}});
        assertEquals(0.375, pairs.mean(1), EPS);
        assertTrue(Double.isNaN(new StagePairs(1, new double[][] {{Double.NaN}}).mean(1)));
    }

    @Test
    void theTextSaysWhichStagesArePaired() {
        assertEquals("Teacher and student both have 3 stages, paired stage by stage.", AttentionText.pairing(3, 3));
        assertEquals("The teacher has 4 stages and the student 3, so only stages 1-3 are paired (stage s with "
                + "stage s, as attention transfer pairs them); the teacher's stage 4 has no partner.",
                AttentionText.pairing(4, 3));
        assertTrue(AttentionText.pairing(3, 4).endsWith("the student's stage 4 has no partner."));
        assertTrue(AttentionText.pairing(5, 3).endsWith("the teacher's stages 4-5 have no partner."));
    }

    /** One image's views: a map per stage (row-major) of the given shapes; tiles and logits are not read. */
    private static ModelProbe.Views views(float[][] maps, int[][] shapes) {
        return new ModelProbe.Views(new float[][] {{0}}, new float[][][] {maps}, new float[][][] {maps}, shapes, null,
                null);
    }
}
