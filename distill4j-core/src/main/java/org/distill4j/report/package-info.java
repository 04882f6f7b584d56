/**
 * The experiment report: the comparison table, the charts and the provenance of every run, written as report.md
 * (images beside it) and as one self-contained report.html, with what the teacher and a student make of a few test
 * images. Depends on experiment, eval, run, config, data, model, distill, loss, train and XChart.
 */
package org.distill4j.report;
