/**
 * The loss terms distillation methods are made of, one class each with its own config record: the maths comes from
 * {@code org.distill4j.loss}, the class binds it to its options, to the teacher-student pair and to the parts it owns.
 * Registered by name in {@link org.distill4j.distill.Methods}. Depends on distill, loss, model, config.
 */
package org.distill4j.distill.terms;
