package org.distill4j.experiment;

import java.nio.file.Path;
import org.distill4j.config.ConfigException;
import org.distill4j.config.TrainConfig;

/**
 * Where an experiment's teacher comes from: exactly one of {@code train} (the experiment trains it, into
 * DIR/teacher), {@code run} (a finished {@code distill4j train} run elsewhere), {@code model} (a saved model
 * directory with parameters.bin and model.json, such as the checkpoint shipped in teachers/) or {@code torchscript}
 * (a PyTorch teacher: a TorchScript file with its manifest beside it) or {@code ensemble} (a
 * {@code NAME.ensemble.yaml} file listing several teachers taught as one, see
 * {@link org.distill4j.distill.EnsembleTeacher}) or, for a variant's own teacher only, {@code variant} (the same
 * seed's student of an earlier variant: born-again generations). A model or TorchScript file is checked against
 * {@code sha256} before use when it is given.
 *
 * @param train       the teacher's training configuration, or null
 * @param run         path of a finished training run, or null
 * @param model       path of a saved model directory, or null
 * @param torchscript path of a TorchScript teacher ({@code NAME.pt}, manifest {@code NAME.json}), or null
 * @param sha256      expected SHA-256 (hex) of model/parameters.bin or of the TorchScript file; optional
 * @param ensemble    path of an ensemble file ({@code NAME.ensemble.yaml}), or null
 * @param variant     the name of an earlier variant of the study whose student of the same seed teaches, or null
 * @param members     with {@code train}: train this many teachers of that config, with seeds seed, seed+1, ..., and
 *                    teach them as one ensemble (mean probabilities at T = 4); null: one teacher
 * @param member      in a variant: member K (1-based) of the ensemble the study trains, alone; or null
 */
public record TeacherStage(TrainConfig train, String run, String model, String torchscript, String sha256,
        String ensemble, String variant, Integer members, Integer member) {
    /** The most members a study trains for one ensemble. */
    public static final int MAX_MEMBERS = 16;

    public TeacherStage {
        int given = (train != null ? 1 : 0) + (run != null ? 1 : 0) + (model != null ? 1 : 0)
                + (torchscript != null ? 1 : 0) + (ensemble != null ? 1 : 0) + (variant != null ? 1 : 0)
                + (member != null ? 1 : 0);
        if (given != 1) {
            throw new ConfigException("teacher: give exactly one of 'train' (a training config), 'run' (a finished "
                    + "train run directory), 'model' (a saved model directory), 'torchscript' (a PyTorch teacher's "
                    + ".pt file), 'ensemble' (a NAME.ensemble.yaml file listing teachers) or, in a variant, 'variant' "
                    + "(an earlier variant whose student of the same seed teaches) or 'member' (one member of the "
                    + "ensemble the study trains); found " + given);
        }
        if (members != null && (train == null || members < 2 || members > MAX_MEMBERS)) {
            throw new ConfigException("teacher: members: " + members + " trains an ensemble of that many teachers "
                    + (train == null ? "and needs 'train' (their training config)" : "and must be 2.." + MAX_MEMBERS));
        }
        if (member != null && member < 1) {
            throw new ConfigException("teacher: member must be 1 or more (members are numbered from 1), got " + member);
        }
        if (variant != null) {
            Variant.requireDirectoryName("teacher: variant", variant);
        }
        if (ensemble != null && !org.distill4j.distill.EnsembleTeacher.isEnsemble(Path.of(ensemble))) {
            throw new ConfigException("teacher: ensemble must name a file ending in "
                    + org.distill4j.distill.EnsembleTeacher.SUFFIX + ", got '" + ensemble + "'");
        }
        if (sha256 != null && model == null && torchscript == null) {
            throw new ConfigException("teacher: 'sha256' checks a 'model' directory or a 'torchscript' file; it "
                    + "cannot be used with " + (train != null ? "'train'" : run != null ? "'run'"
                            : ensemble != null ? "'ensemble'" : variant != null ? "'variant'" : "'member'"));
        }
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new ConfigException("teacher: sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
    }

    /** A teacher from a training config, a run or a saved model directory (no TorchScript file). */
    public TeacherStage(TrainConfig train, String run, String model, String sha256) {
        this(train, run, model, null, sha256, null, null, null, null);
    }

    /** A teacher that is not an ensemble. */
    public TeacherStage(TrainConfig train, String run, String model, String torchscript, String sha256) {
        this(train, run, model, torchscript, sha256, null, null, null, null);
    }

    /** A teacher that is not another variant's student. */
    public TeacherStage(TrainConfig train, String run, String model, String torchscript, String sha256,
            String ensemble) {
        this(train, run, model, torchscript, sha256, ensemble, null, null, null);
    }

    /** Another variant's student of the same seed (born-again generations). */
    public static TeacherStage ofVariant(String variant) {
        return new TeacherStage(null, null, null, null, null, null, variant, null, null);
    }

    /** Member {@code k} of the ensemble the study trains. */
    public static TeacherStage ofMember(int k) {
        return new TeacherStage(null, null, null, null, null, null, null, null, k);
    }

    /** The same stage training one teacher per seed from {@code train} (the command line's --data-dir keeps members). */
    public TeacherStage withTrain(TrainConfig train) {
        return new TeacherStage(train, run, model, torchscript, sha256, ensemble, variant, members, member);
    }

    /**
     * The directory holding the teacher's parameters.bin and model.json, or the TorchScript file: what
     * {@link org.distill4j.distill.Teacher#load} reads.
     */
    public Path modelDir(ExperimentLayout layout) {
        if (variant != null) {
            throw new IllegalStateException("a variant teacher's model depends on the seed: use modelDir(layout, seed)");
        }
        if (torchscript != null) {
            return Path.of(torchscript);
        }
        if (members != null) {
            return layout.teacherEnsembleFile();
        }
        if (member != null) {
            return layout.teacherMember(member).resolve("model");
        }
        if (ensemble != null) {
            return Path.of(ensemble);
        }
        if (model != null) {
            return Path.of(model);
        }
        return (train != null ? layout.teacherRun() : Path.of(run)).resolve("model");
    }

    /** As {@link #modelDir(ExperimentLayout)}, for a run of {@code seed}: a variant teacher is that seed's student. */
    public Path modelDir(ExperimentLayout layout, long seed) {
        return variant != null ? layout.studentRun(variant, seed).resolve("model") : modelDir(layout);
    }

    /** Member k's training config: the stage's, with seed train.seed + k - 1. */
    public TrainConfig memberConfig(int k) {
        return org.distill4j.config.Overrides.apply(train, java.util.Map.of("seed", train.seed() + k - 1));
    }

    /** One line for logs and the report. */
    public String describe() {
        if (train != null) {
            String one = String.format("%s on %s (%s images, %d epochs)",
                    org.distill4j.model.ModelSpec.label(train.model(), train.width()), train.dataset(), train.trainSubset() > 0 ? train.trainSubset() : "all",
                    train.epochs());
            return members == null ? "trained here: " + one
                    : String.format("trained here: an ensemble of %d, each %s, seeds %d to %d, taught as one (mean "
                            + "probabilities at T = 4)", members, one, train.seed(), train.seed() + members - 1);
        }
        if (member != null) {
            return "member " + member + " of the study's teacher ensemble, alone";
        }
        String checked = sha256 != null ? " (SHA-256 " + sha256.substring(0, 12) + "…, checked)" : "";
        return variant != null ? "variant " + variant + "'s student of the same seed"
                : run != null ? "the finished run " + run
                : ensemble != null ? "the ensemble " + Path.of(ensemble).getFileName()
                : torchscript != null ? "the PyTorch (TorchScript) teacher " + torchscript + checked
                : "the saved model " + model + checked;
    }
}
