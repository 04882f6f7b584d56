/**
 * The ResNet family (CIFAR variants, optionally with CBAM) that returns logits and stage features itself,
 * and {@link org.distill4j.model.SavedModel}, a trained model on disk. Depends on DJL's {@code api} and on
 * {@code run} (atomic files, JSON) for saving only.
 */
package org.distill4j.model;
