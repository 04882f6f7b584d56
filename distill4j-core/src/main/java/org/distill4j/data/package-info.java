/**
 * Data sets held as uint8 in memory (CIFAR-10, Fashion-MNIST, synthetic), their readers, checksummed downloads,
 * and the background {@link org.distill4j.data.BatchLoader} that shuffles, augments and normalises batches.
 * Depends only on the JDK, plus DJL's {@code ai.djl.ndarray} at the single hand-over point {@link org.distill4j.data.HostBatch#toNDList}.
 */
package org.distill4j.data;
