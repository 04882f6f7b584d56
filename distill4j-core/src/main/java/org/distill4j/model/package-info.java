/**
 * The model zoo: every network behind one interface, {@link org.distill4j.model.Network} (features for distillation,
 * a tail from any stage, a folded inference copy, FLOPs), each written once against {@link org.distill4j.model.Forward};
 * names parsed by {@link org.distill4j.model.Architecture}; and {@link org.distill4j.model.SavedModel}, a trained model
 * on disk. Depends on DJL's {@code api} and on {@code run} (atomic files, JSON) for saving only.
 */
package org.distill4j.model;
