package org.distill4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class HostBatchTest {
    @Test
    void toNDListGivesFloatImagesAndInt64Labels() {
        float[] data = new float[2 * 1 * 2 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f;
        }
        HostBatch batch = new HostBatch(data, new int[] {7, 2}, new int[] {10, 11}, 2, 1, 2, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList list = batch.toNDList(manager);
            assertEquals(new Shape(2, 1, 2, 3), list.get(0).getShape());
            assertEquals(DataType.FLOAT32, list.get(0).getDataType());
            assertArrayEquals(data, list.get(0).toFloatArray());
            assertEquals(new Shape(2), list.get(1).getShape());
            assertEquals(DataType.INT64, list.get(1).getDataType());
            assertArrayEquals(new long[] {7, 2}, list.get(1).toLongArray());
        }
    }

    @Test
    void mismatchedArraysAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new HostBatch(new float[5], new int[2], new int[2], 2, 1, 2, 3));
    }
}
