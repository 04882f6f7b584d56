/**
 * The ResNet family (CIFAR variants, optionally with CBAM) that returns logits and stage features itself.
 * May depend on DJL's {@code api} only, never on another distill4j package.
 */
package org.distill4j.model;
