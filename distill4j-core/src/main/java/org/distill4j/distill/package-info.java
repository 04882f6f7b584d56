/**
 * Distillation methods (one small class each, returning named loss terms), the frozen teacher and its
 * outputs (logits, attention maps, Integrated-Gradients causal masks), the method registry and the
 * {@code distill} command's function. Depends on config, data, model, loss, train, run.
 */
package org.distill4j.distill;
