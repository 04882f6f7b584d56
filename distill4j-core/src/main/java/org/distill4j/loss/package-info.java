/**
 * Loss functions as pure static functions of NDArrays (no config, no state), and the named-terms record
 * that methods return. Depends only on DJL.
 */
package org.distill4j.loss;
