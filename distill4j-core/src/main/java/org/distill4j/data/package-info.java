/**
 * Data sets held as uint8 in memory (CIFAR-10, CIFAR-100, Fashion-MNIST, your own image folder, synthetic), their
 * readers, checksummed downloads, the folder cache, and the background {@link org.distill4j.data.BatchLoader} that
 * shuffles, augments and normalises batches. Depends only on the JDK (javax.imageio decodes folder images), plus
 * DJL's {@code ai.djl.ndarray} at the single hand-over point {@link org.distill4j.data.HostBatch#toNDList}.
 */
package org.distill4j.data;
