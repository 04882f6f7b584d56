/**
 * The command line: one picocli command per verb, each a thin call into a distill4j-core function.
 * May depend on everything in core; nothing depends on it.
 */
package org.distill4j.cli;
