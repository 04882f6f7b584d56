/**
 * Immutable configuration records with their defaults in one place, merging of overrides, and validation.
 * Depends only on {@code run} (for YAML/JSON mapping).
 */
package org.distill4j.config;
