package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    private static final ImageDataset DATA = TestFiles.dataset(23, 1, 2, 2, 3, (n, c, y, x) -> n * 4 + y * 2 + x);

    private static BatchLoader.Builder loader(int batchSize) {
        return BatchLoader.builder().setDataset(DATA).setBatchSize(batchSize);
    }

    @Test
    void everyIndexExactlyOncePerShuffledEpoch() {
        int[] seen = new int[DATA.size()];
        try (BatchLoader l = loader(5).optShuffle(true).optSeed(9).optEpoch(2).build()) {
            assertEquals(5, l.numBatches());
            int batches = 0;
            while (l.hasNext()) {
                HostBatch b = l.next();
                for (int i = 0; i < b.batchSize(); i++) {
                    seen[b.indices()[i]]++;
                    assertEquals(DATA.label(b.indices()[i]), b.labels()[i], "label travels with its image");
                }
                batches++;
            }
            assertEquals(5, batches);
            assertThrows(NoSuchElementException.class, l::next);
        }
        int[] once = new int[DATA.size()];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
    }

    @Test
    void unshuffledKeepsOrderAndLastBatchIsPartial() {
        try (BatchLoader l = loader(10).build()) {
            assertEquals(3, l.numBatches());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, l.next().indices());
            l.next();
            HostBatch last = l.next();
            assertEquals(3, last.batchSize());
            assertArrayEquals(new int[] {20, 21, 22}, last.indices());
            assertEquals(3 * 4, last.data().length);
            assertFalse(l.hasNext());
        }
    }

    @Test
    void dropLastAndMaxBatchesCount() {
        try (BatchLoader l = loader(10).optDropLast(true).build()) {
            assertEquals(2, l.numBatches());
        }
        try (BatchLoader l = loader(5).optMaxBatches(2).build()) {
            assertEquals(2, l.numBatches());
            l.next();
            l.next();
            assertFalse(l.hasNext());
        }
        try (BatchLoader l = loader(23).optDropLast(true).build()) {
            assertEquals(1, l.numBatches());
        }
        try (BatchLoader l = loader(24).optDropLast(true).build()) {
            assertEquals(0, l.numBatches());
            assertFalse(l.hasNext());
        }
    }

    @Test
    void normalisesWithTheGivenStatistics() {
        try (BatchLoader l = loader(1).optNormalization(new float[] {0.5f}, new float[] {0.25f}).build()) {
            HostBatch b = l.next(); // image 0 pixels 0, 1, 2, 3
            assertArrayEquals(new float[] {-2f, (1 / 255f - 0.5f) / 0.25f, (2 / 255f - 0.5f) / 0.25f,
                    (3 / 255f - 0.5f) / 0.25f}, b.data(), 1e-6f);
        }
    }

    @Test
    void producerExceptionSurfacesInNextWithCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (BatchLoader l = loader(5).optBeforeBatch(i -> {
            if (i == 2) {
                throw boom;
            }
        }).build()) {
            l.next();
            l.next();
            RuntimeException e = assertThrows(RuntimeException.class, l::next);
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("batch 2"), e.getMessage());
        }
    }

    @Test
    void closeStopsABlockedProducer() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(2);
        BatchLoader l = loader(1).optPrefetch(1).optBeforeBatch(i -> started.countDown()).build();
        assertTrue(started.await(5, TimeUnit.SECONDS), "producer runs ahead of the consumer");
        assertTrue(l.workerAlive(), "producer is blocked on the full queue");
        l.close();
        assertFalse(l.workerAlive());
        assertFalse(l.hasNext());
        assertThrows(IllegalStateException.class, l::next);
        l.close(); // idempotent
    }

    @Test
    void waitTimeIsMeasured() {
        try (BatchLoader l = loader(5).optBeforeBatch(i -> sleep(20)).build()) {
            while (l.hasNext()) {
                l.next();
            }
            assertTrue(l.waitNanos() >= TimeUnit.MILLISECONDS.toNanos(40), "waited " + l.waitNanos() + " ns");
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> loader(0).build());
        assertThrows(NullPointerException.class, () -> BatchLoader.builder().setBatchSize(2).build());
        assertThrows(IllegalArgumentException.class,
                () -> loader(2).optNormalization(new float[] {0, 0}, new float[] {1, 1}).build());
        assertThrows(IllegalArgumentException.class,
                () -> loader(2).optNormalization(new float[] {0}, new float[] {0}).build());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
