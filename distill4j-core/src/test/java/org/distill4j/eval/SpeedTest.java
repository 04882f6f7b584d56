package org.distill4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timing protocol on a model of known speed (a call that sleeps): warm-up calls are not timed, exactly
 * {@code runs} batch-1 calls are, the median reflects the call's cost, and the throughput comes from at least
 * three timed batches after a warm-up one.
 */
class SpeedTest {
    @Test
    void timesExactlyTheRequestedCallsAfterWarmUpAndReportsTheirMedian() {
        List<Long> batches = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Speed.Result r = Speed.measure(x -> {
                batches.add(x.getShape().get(0));
                sleep(x.getShape().get(0) == 1 ? 3 : 8);
            }, manager, 1, 4, 4, 5, 20, 16);
            long ones = batches.stream().filter(b -> b == 1).count();
            long big = batches.stream().filter(b -> b == 16).count();
            assertEquals(batches.size(), ones + big, "only batch 1 and the throughput batch are run");
            assertTrue(ones >= 5 + 20, "warm-up and timed calls at batch 1: " + ones);
            assertTrue(big >= 1 + 3, "a warm-up batch and at least three timed ones: " + big);
            assertEquals(20, r.runs());
            assertEquals(16, r.throughputBatch());
            assertTrue(r.minMs() >= 3 && r.minMs() <= r.medianMs() && r.medianMs() < 50, r.toString());
            // 16 images per batch of >= 8 ms: at most 2,000 images/s
            assertTrue(r.imagesPerSec() > 0 && r.imagesPerSec() <= 2000, r.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
