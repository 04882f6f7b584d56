/**
 * A run on disk: the directory layout, atomic file writes, JSON/YAML I/O and provenance.
 * Depends on nothing else in distill4j; everything that writes results goes through here.
 */
package org.distill4j.run;
