package org.distill4j.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.distill4j.data.DataOptions;
import org.distill4j.data.Datasets;
import org.distill4j.model.ModelSpec;

/**
 * Everything that determines a training run. Defaults ({@link #defaults()}) are the seed's CIFAR-10
 * recipe (SGD 0.1, momentum 0.9, weight decay 5e-4, batch 128, cosine, 200 epochs); a YAML file or the
 * command line overrides only what differs ({@link Overrides}). The compact constructor validates every
 * value, so an invalid config cannot exist.
 *
 * @param model        architecture name, see {@code ModelSpec.NAMES} (resnet18, wrn-16-2, shufflenetv2, ...)
 * @param width        base width of the seed's ResNets (64 is the paper's, 16 a CPU-sized model; 0: 64); other
 *                     families carry their width in their name and take 0
 * @param dataset      cifar10, cifar100, fashion-mnist, folder (your own images) or synthetic
 * @param dataDir      where datasets live (null: ~/.distill4j/data); for {@code folder}, the image folder itself
 * @param epochs       number of passes over the training set
 * @param batchSize    training batch size
 * @param lr           peak learning rate
 * @param momentum     SGD momentum (onecycle: the middle of its cycle, momentum +- 0.05)
 * @param weightDecay  L2 penalty on all parameters, as in the seed's recipe
 * @param schedule     cosine, multistep or onecycle (Smith &amp; Topin 2019, as PyTorch's OneCycleLR: lr rises from
 *                     lr/25 to lr over the first onecyclePeak of training and falls to lr/25e4, both on a cosine;
 *                     momentum moves the opposite way between momentum + 0.05 and momentum - 0.05)
 * @param milestones   multistep: epochs at which lr is multiplied by lrDecay (empty: 50% and 75% of epochs)
 * @param lrDecay      multistep: multiplier at each milestone
 * @param warmupEpochs linear warm-up from lr/10 over this many epochs (0: none)
 * @param seed         seeds initialisation, data order and augmentation
 * @param device       cpu, gpu or auto
 * @param trainSubset  use this many training images, class-balanced (0: all)
 * @param testSubset   evaluate on this many test images (0: all)
 * @param maxBatches   stop each epoch after this many batches (0: all); for tests and smoke runs
 * @param augment      pad-and-crop (and flip where the dataset allows) during training
 * @param imageSize    folder: side the images are resized to
 * @param labels       cifar100: fine (100 classes) or coarse (20)
 * @param skipUnreadable folder: skip images that cannot be decoded (counted in provenance) instead of failing
 * @param valFraction  folder without val/: share of each class held out (seeded, class-balanced)
 * @param nesterov     Nesterov momentum (PyTorch's form; off: the momentum update DJL's SGD makes)
 * @param onecyclePeak onecycle: the fraction of training at which the learning rate peaks (PyTorch's pct_start)
 * @param border       black pixels added around every image at load time (2: Fashion-MNIST at 32x32, as PyTorch
 *                     recipes pad it); 0: none
 * @param testEvery    measure test accuracy after every testEvery-th epoch and after the last (1: every epoch);
 *                     the others' test_top1 in history.csv is NaN. Training is the same either way.
 */
public record TrainConfig(
        String model,
        int width,
        String dataset,
        String dataDir,
        int epochs,
        int batchSize,
        double lr,
        double momentum,
        double weightDecay,
        String schedule,
        List<Integer> milestones,
        double lrDecay,
        int warmupEpochs,
        long seed,
        String device,
        int trainSubset,
        int testSubset,
        int maxBatches,
        boolean augment,
        Integer imageSize,
        String labels,
        Boolean skipUnreadable,
        Double valFraction,
        Boolean nesterov,
        Double onecyclePeak,
        Integer border,
        Integer testEvery,
        Integer peers) {

    public static final Set<String> SCHEDULES = Set.of("cosine", "multistep", "onecycle");
    public static final Set<String> DEVICES = Set.of("cpu", "gpu", "auto");
    public static final List<String> DATASETS = Datasets.NAMES;
    /** The most networks mutual learning trains together: each holds its activations in memory at once. */
    public static final int MAX_PEERS = 8;

    public TrainConfig {
        milestones = milestones == null ? List.of() : List.copyOf(milestones);
        // Keys added with the image folders and CIFAR-100: a config.yaml written before them lacks them, and must
        // still read as the same run (reuse and resume compare configs).
        DataOptions d = DataOptions.defaults();
        imageSize = imageSize == null ? d.imageSize() : imageSize;
        labels = labels == null ? d.labels() : labels;
        skipUnreadable = skipUnreadable == null ? d.skipUnreadable() : skipUnreadable;
        valFraction = valFraction == null ? d.valFraction() : valFraction;
        // Keys added with the one-cycle schedule: absent from earlier config.yaml files, which mean the defaults.
        nesterov = nesterov != null && nesterov;
        onecyclePeak = onecyclePeak == null ? 0.3 : onecyclePeak;
        border = border == null ? 0 : border;
        testEvery = testEvery == null ? 1 : testEvery; // added later: absent from earlier config.yaml files
        peers = peers == null ? 1 : peers; // likewise
        ConfigException.require(peers >= 1 && peers <= MAX_PEERS, "peers", peers,
                "1.." + MAX_PEERS + " (2 or more: deep mutual learning)");
        ConfigException.require(model != null && !model.isBlank(), "model", model, "a model name");
        try {
            new ModelSpec(model, width, 2, 1); // checks the name, and the width against it
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("unknown model") ? "model" : "width";
            throw new ConfigException("invalid value for '" + key + "': " + e.getMessage());
        }
        ConfigException.require(DATASETS.contains(dataset), "dataset", dataset, String.join(", ", DATASETS));
        ConfigException.require(!"folder".equals(dataset) || (dataDir != null && !dataDir.isBlank()), "dataDir", dataDir,
                "for dataset folder, the image folder (PATH holding train/CLASS/*.png|jpg, optionally val/CLASS/)");
        ConfigException.require(epochs >= 1, "epochs", epochs, ">= 1");
        ConfigException.require(batchSize >= 1 && batchSize <= 65536, "batchSize", batchSize, "1..65536");
        ConfigException.require(lr > 0 && Double.isFinite(lr), "lr", lr, "> 0");
        ConfigException.require(momentum >= 0 && momentum < 1, "momentum", momentum, "[0, 1)");
        ConfigException.require(!"onecycle".equals(schedule) || (momentum >= 0.05 && momentum <= 0.94), "momentum",
                momentum, "0.05..0.94 with schedule onecycle (it cycles between momentum - 0.05 and momentum + 0.05)");
        ConfigException.require(border >= 0 && border <= 64, "border", border, "0..64");
        ConfigException.require(testEvery >= 1, "testEvery", testEvery, ">= 1 (the last epoch is always measured)");
        ConfigException.require(onecyclePeak > 0 && onecyclePeak < 1, "onecyclePeak", onecyclePeak, "(0, 1)");
        ConfigException.require(!nesterov || momentum > 0, "nesterov", nesterov, "false when momentum is 0");
        ConfigException.require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, ">= 0");
        ConfigException.require(SCHEDULES.contains(schedule), "schedule", schedule, String.join(", ", SCHEDULES));
        for (int m : milestones) {
            ConfigException.require(m >= 1 && m <= epochs, "milestones", milestones, "epochs in 1.." + epochs);
        }
        ConfigException.require(lrDecay > 0 && lrDecay <= 1, "lrDecay", lrDecay, "(0, 1]");
        ConfigException.require(warmupEpochs >= 0 && warmupEpochs < epochs, "warmupEpochs", warmupEpochs,
                "0.." + (epochs - 1));
        ConfigException.require(!"onecycle".equals(schedule) || warmupEpochs == 0, "warmupEpochs", warmupEpochs,
                "0 with schedule onecycle (its warm-up is onecyclePeak)");
        ConfigException.require(DEVICES.contains(device), "device", device, String.join(", ", DEVICES));
        ConfigException.require(trainSubset >= 0, "trainSubset", trainSubset, ">= 0 (0 = all)");
        ConfigException.require(testSubset >= 0, "testSubset", testSubset, ">= 0 (0 = all)");
        ConfigException.require(maxBatches >= 0, "maxBatches", maxBatches, ">= 0 (0 = all)");
        ConfigException.require(imageSize >= 8 && imageSize <= 1024, "imageSize", imageSize, "8..1024");
        ConfigException.require(DataOptions.LABELS.contains(labels), "labels", labels, String.join(", ", DataOptions.LABELS));
        ConfigException.require(!"coarse".equals(labels) || "cifar100".equals(dataset), "labels", labels,
                "coarse only with dataset cifar100");
        ConfigException.require(valFraction > 0 && valFraction <= 0.9, "valFraction", valFraction, "(0, 0.9]");
    }

    /** Whether test accuracy is measured after {@code epoch} (1-based): every testEvery-th epoch and the last. */
    public boolean testsAfter(int epoch) {
        return epoch % testEvery == 0 || epoch == epochs;
    }

    /** The dataset-specific options, for {@code Datasets.load}. */
    public DataOptions dataOptions() {
        return new DataOptions(imageSize, labels, skipUnreadable, valFraction, border);
    }

    /** The seed's recipe for a ResNet18 (width 64) on CIFAR-10. */
    public static TrainConfig defaults() {
        return new TrainConfig(
                "resnet18", 0, "cifar10", null,
                200, 128, 0.1, 0.9, 5e-4, "cosine", List.of(), 0.1, 0,
                0L, "auto", 0, 0, 0, true, 32, "fine", false, 0.1, false, 0.3, 0, 1, 1);
    }

    /** This config with another data directory (null keeps the default). */
    public TrainConfig withDataDir(Path dir) {
        return dir == null ? this : Overrides.apply(this, java.util.Map.of("dataDir", dir.toString()));
    }

    /** The data directory as a path, falling back to ~/.distill4j/data. */
    public Path dataPath() {
        return dataDir == null || dataDir.isBlank()
                ? Path.of(System.getProperty("user.home"), ".distill4j", "data")
                : Path.of(dataDir);
    }
}
