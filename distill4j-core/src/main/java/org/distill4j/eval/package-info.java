/**
 * Measuring a trained model: top-1 accuracy, parameter count, serialized size, batch-1 latency and
 * throughput, and the metrics.json record. Depends on data, model, loss, run.
 */
package org.distill4j.eval;
