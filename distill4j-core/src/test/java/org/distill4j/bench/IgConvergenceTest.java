package org.distill4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.distill4j.data.DataSplit;
import org.distill4j.data.SyntheticDataset;
import org.distill4j.distill.Teacher;
import org.distill4j.model.Network;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.SavedModel;
import org.junit.jupiter.api.Test;

/** Mask agreement by IG steps: the arithmetic, and a small real run where m = reference must agree exactly. */
class IgConvergenceTest {

    @Test
    void pearsonByHand() {
        assertEquals(1.0, IgConvergence.pearson(new float[] {1, 2, 3}, new float[] {2, 4, 6}), 1e-12);
        assertEquals(-1.0, IgConvergence.pearson(new float[] {1, 2, 3}, new float[] {3, 2, 1}), 1e-12);
        assertEquals(0.0, IgConvergence.pearson(new float[] {1, 0, -1, 0}, new float[] {0, 1, 0, -1}), 1e-12);
        assertTrue(IgConvergence.isConstant(new float[] {1, 1, 1}));
        assertFalse(IgConvergence.isConstant(new float[] {1, 1, 0.5f}));
    }

    @Test
    void theReferenceAgreesWithItselfAndFewStepsAreCloseOnASmallTeacher() {
        DataSplit data = SyntheticDataset.split(64, 80, 10, 3, 16, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Network net = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 16, 16);
            SavedModel.Info info = new SavedModel.Info("resnet18", 4, 10, 3, 16, 16,
                    data.train().channelMean(), data.train().channelStd(), null, "synthetic");
            Teacher teacher = new Teacher(net, info, manager);
            IgConvergence.Result r = IgConvergence.measure(teacher, data.test(), 70, List.of(2, 8), 8, 3, manager,
                    line -> { });
            assertEquals(70, r.images() + r.constant());
            assertTrue(r.images() > 0, "some masks must vary");
            assertEquals(1.0, r.meanCorrelation().get(8), 1e-5, "IG is deterministic: m = reference gives the same mask");
            double c2 = r.meanCorrelation().get(2);
            assertTrue(c2 > 0 && c2 <= 1 + 1e-9, "m = 2 correlation " + c2);
            assertTrue(r.minCorrelation().get(2) <= c2);
            assertTrue(r.msPerImage().get(8) > 0);
        }
    }
}
