/**
 * The {@code demo}: the whole pipeline at CPU size on real data (Fashion-MNIST), as one function.
 * Depends on config, distill, train, eval.
 */
package org.distill4j.demo;
