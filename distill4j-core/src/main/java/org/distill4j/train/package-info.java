/**
 * The training loop (one readable loop, extended through listeners), SGD, learning-rate schedules,
 * checkpoints and the {@code train} command's function. Depends on config, data, model, loss, eval, run.
 */
package org.distill4j.train;
