/**
 * Immutable configuration records with their defaults in one place, merging of overrides, and validation.
 * Depends on {@code run} (for YAML/JSON mapping), and on {@code model} and {@code data} for the names they accept.
 */
package org.distill4j.config;
