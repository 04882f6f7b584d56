package org.distill4j.experiment;

import java.nio.file.Path;

/**
 * The layout of an experiment on disk. Every reader and writer of an experiment asks this record for paths.
 * <pre>
 *   DIR/experiment.yaml          the experiment as it was last run, every default resolved
 *   DIR/status.json              one entry per student run: finished, reused or failed (with its error)
 *   DIR/teacher/                 the teacher's training run, when the experiment trains it
 *   DIR/teacher-members/         with teacher.members: N, member-K/ (one run each) and teacher.ensemble.yaml
 *   DIR/teacher-metrics.json     the teacher measured on the students' test set (the table's teacher row)
 *   DIR/teacher-bank/            teacher banks shared by the distilled runs (bank-ID.bin + bank-ID.json)
 *   DIR/students/VARIANT/seed-N/ one run directory per variant and seed
 *   DIR/students/VARIANT/teacher-metrics.json  a variant's own teacher, measured likewise (its key beside it)
 *   DIR/speed.json               latency and throughput, measured once per student architecture
 *   DIR/report.md, report.html   the report; report-files/ holds the images report.md links to
 * </pre>
 */
public record ExperimentLayout(Path root) {

    public Path experimentFile() {
        return root.resolve("experiment.yaml");
    }

    public Path status() {
        return root.resolve("status.json");
    }

    public Path teacherRun() {
        return root.resolve("teacher");
    }

    /** Where the members of a teacher ensemble the study trains live (teacher: {train: ..., members: N}). */
    public Path teacherMembers() {
        return root.resolve("teacher-members");
    }

    /** Member k's (1-based) training run. */
    public Path teacherMember(int k) {
        return teacherMembers().resolve("member-" + k);
    }

    /** The ensemble file listing the trained members: what the students distil from. */
    public Path teacherEnsembleFile() {
        return teacherMembers().resolve("teacher" + org.distill4j.distill.EnsembleTeacher.SUFFIX);
    }

    public Path teacherMetrics() {
        return root.resolve("teacher-metrics.json");
    }

    public Path teacherBank() {
        return root.resolve("teacher-bank");
    }

    /** A variant's own teacher measured on the students' test set (a variant with {@code teacher:}). */
    public Path variantTeacherMetrics(String variant) {
        return root.resolve("students").resolve(variant).resolve("teacher-metrics.json");
    }

    /** What {@link #variantTeacherMetrics} was measured for: the teacher's fingerprint and the test images. */
    public Path variantTeacherKey(String variant) {
        return root.resolve("students").resolve(variant).resolve("teacher-metrics.key");
    }

    public Path studentRun(String variant, long seed) {
        return root.resolve("students").resolve(variant).resolve("seed-" + seed);
    }

    public Path speed() {
        return root.resolve("speed.json");
    }

    public Path reportMarkdown() {
        return root.resolve("report.md");
    }

    public Path reportHtml() {
        return root.resolve("report.html");
    }

    /** Images written beside report.md (report.html embeds the same images and needs no files). */
    public Path reportFiles() {
        return root.resolve("report-files");
    }
}
