/**
 * The experiment report: the comparison table, the charts and the provenance of every run, written as report.md
 * (images beside it) and as one self-contained report.html. Depends on experiment, eval, run and XChart.
 */
package org.distill4j.report;
