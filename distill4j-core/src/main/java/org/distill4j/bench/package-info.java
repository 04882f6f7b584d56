/** {@code distill4j bench}: images/s of each kind of training step, measured in one process on random data. */
package org.distill4j.bench;
