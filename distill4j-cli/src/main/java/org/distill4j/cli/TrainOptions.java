package org.distill4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.run.RunDirectory;
import picocli.CommandLine.Option;

/**
 * The options that configure how a model is trained, shared by {@code train} and {@code distill}. Each
 * option given on the command line becomes one override of a {@code TrainConfig} key; options not given
 * leave the defaults (or a stored run's values) alone.
 */
final class TrainOptions {
    @Option(names = "--width", description = "Base width of resnet18..152 (64: the paper's models, the default; 16: "
            + "CPU-sized). Other models carry their width in their name (wrn-16-2, shufflenetv2-0.5x).")
    Integer width;
    @Option(names = "--dataset", description = "cifar10, cifar100, fashion-mnist, folder (your own images in "
            + "--data-dir) or synthetic.")
    String dataset;
    @Option(names = "--data-dir", description = "Where datasets live (default ~/.distill4j/data); for --dataset "
            + "folder, the image folder: PATH/train/CLASS/*.png|jpg and optionally PATH/val/CLASS/.")
    Path dataDir;
    @Option(names = "--image-size", description = "folder: resize images to this side (default 32).")
    Integer imageSize;
    @Option(names = "--labels", description = "cifar100: fine (100 classes, default) or coarse (20).")
    String labels;
    @Option(names = "--skip-unreadable", description = "folder: skip images that cannot be decoded (counted in "
            + "provenance.json) instead of failing.")
    Boolean skipUnreadable;
    @Option(names = "--val-fraction", description = "folder without val/: share of each class held out for "
            + "testing (default 0.1, seeded and class-balanced).")
    Double valFraction;
    @Option(names = "--epochs") Integer epochs;
    @Option(names = "--batch-size") Integer batchSize;
    @Option(names = "--lr", description = "Peak learning rate.") Double lr;
    @Option(names = "--momentum") Double momentum;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--schedule", description = "cosine, multistep or onecycle (PyTorch's OneCycleLR: lr from lr/25 "
            + "up to lr by --onecycle-peak, then down; momentum cycled +-0.05 the other way).") String schedule;
    @Option(names = "--onecycle-peak", description = "onecycle: fraction of training where lr peaks (default 0.3).")
    Double onecyclePeak;
    @Option(names = "--nesterov", description = "Nesterov momentum (PyTorch's form of the update).") Boolean nesterov;
    @Option(names = "--milestones", split = ",", description = "multistep: epochs where lr is multiplied by --lr-decay.")
    List<Integer> milestones;
    @Option(names = "--lr-decay") Double lrDecay;
    @Option(names = "--warmup", description = "Warm-up epochs (linear from lr/10).") Integer warmupEpochs;
    @Option(names = "--seed") Long seed;
    @Option(names = "--device", description = "cpu, gpu or auto.") String device;
    @Option(names = "--train-subset", description = "Train on this many images, class-balanced (0: all).")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "Evaluate on this many test images (0: all).")
    Integer testSubset;
    @Option(names = "--test-every", description = "Measure test accuracy after every N-th epoch and the last "
            + "(default 1: every epoch).") Integer testEvery;
    @Option(names = "--peers", description = "train: train N networks together by deep mutual learning (Zhang et al. "
            + "2018), each from the labels and the others' predictions; peer 1 is --out, peer K is --out/peers/peer-K "
            + "(default 1: one network).") Integer peers;
    @Option(names = "--max-batches", description = "Stop each epoch after this many batches (smoke tests).")
    Integer maxBatches;
    @Option(names = "--border", description = "Black pixels added around every image at load time (2: Fashion-MNIST "
            + "at 32x32, as PyTorch recipes pad it).") Integer border;
    @Option(names = "--no-augment", description = "Train without pad-and-crop/flip.") Boolean noAugment;

    /** The options given, as TrainConfig keys. */
    Map<String, Object> overrides() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "width", width);
        put(m, "dataset", dataset);
        put(m, "dataDir", dataDir == null ? null : dataDir.toString());
        put(m, "epochs", epochs);
        put(m, "batchSize", batchSize);
        put(m, "lr", lr);
        put(m, "momentum", momentum);
        put(m, "weightDecay", weightDecay);
        put(m, "schedule", schedule);
        put(m, "milestones", milestones);
        put(m, "lrDecay", lrDecay);
        put(m, "warmupEpochs", warmupEpochs);
        put(m, "onecyclePeak", onecyclePeak);
        put(m, "testEvery", testEvery);
        put(m, "peers", peers);
        if (Boolean.TRUE.equals(nesterov)) {
            m.put("nesterov", true);
        }
        put(m, "seed", seed);
        put(m, "device", device);
        put(m, "trainSubset", trainSubset);
        put(m, "testSubset", testSubset);
        put(m, "maxBatches", maxBatches);
        put(m, "imageSize", imageSize);
        put(m, "labels", labels);
        if (Boolean.TRUE.equals(skipUnreadable)) {
            m.put("skipUnreadable", true);
        }
        put(m, "valFraction", valFraction);
        put(m, "border", border);
        if (Boolean.TRUE.equals(noAugment)) {
            m.put("augment", false);
        }
        return m;
    }

    /**
     * Fails unless a resumed run's training config differs from the stored one only in what may change on
     * resume (length of training, device, data location); anything else would be another run.
     *
     * @param otherChanges further keys (e.g. of the method) that differ from the stored run
     */
    static void requireResumable(org.distill4j.config.TrainConfig stored, org.distill4j.config.TrainConfig resumed,
            java.util.Collection<String> otherChanges) {
        java.util.Set<String> changed = new java.util.TreeSet<>(
                org.distill4j.config.Overrides.differences(stored, resumed).keySet());
        changed.removeAll(List.of("epochs", "device", "dataDir"));
        changed.addAll(otherChanges);
        if (!changed.isEmpty()) {
            throw new org.distill4j.config.ConfigException("--resume continues the stored run; these options "
                    + "differ from its config.yaml: " + changed + ". Start a new run with another --out instead");
        }
    }

    /**
     * Whether {@code dir} already holds this very run, so that running the same command again continues it: a
     * finished one is reported (its summary on standard output) and left alone (true), an unfinished one resumes
     * (false, and the caller resumes). A directory holding another run is never touched.
     *
     * @param changed what differs between the stored run's configuration and this command's
     * @throws org.distill4j.config.ConfigException when {@code changed} is not empty
     */
    static boolean alreadyFinished(RunDirectory dir, java.util.Collection<String> changed) {
        if (!changed.isEmpty()) {
            throw new org.distill4j.config.ConfigException(dir.root() + " holds another run: its config.yaml differs "
                    + "from this command in " + new java.util.TreeSet<>(changed) + ". Pass --resume to continue that "
                    + "run (only --epochs, --device and --data-dir may change), or choose another --out");
        }
        if (dir.finished()) {
            System.err.println(dir.root() + " already holds this run, finished; nothing to do (pass --resume with more "
                    + "--epochs to train it further, or another --out for a new run)");
            System.out.println(TrainCommand.summary(org.distill4j.run.Json.readJson(dir.metrics(),
                    org.distill4j.eval.Metrics.class), dir.root()));
            return true;
        }
        System.err.println(dir.root() + " holds this run, unfinished: continuing it");
        return false;
    }

    static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
