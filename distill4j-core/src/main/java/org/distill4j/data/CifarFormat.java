package org.distill4j.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html).
 * Both are files of fixed-size records: some label bytes, then 3072 pixel bytes (the 32x32 red plane, then green,
 * then blue, i.e. already (C, H, W)). The two sets differ only in the values held here, so one {@link CifarReader}
 * and one {@link CifarDownloader} serve both.
 *
 * @param name          the data set's name, which is also its folder under the data directory
 * @param title         how people write the name, for messages
 * @param url           the authors' binary archive
 * @param md5           the archive's MD5 as the authors' page lists it
 * @param subdir        the folder the archive unpacks to
 * @param labels        the label bytes at the start of each record, in file order
 */
record CifarFormat(String name, String title, URI url, String md5, String subdir, List<String> trainFiles,
        String testFile, List<LabelField> labels) {

    static final int PIXELS = 3 * 32 * 32;
    // The full sets; smaller files are accepted (tests write a few records) but verify warns about them.
    static final int FULL_TRAIN = 50_000;
    static final int FULL_TEST = 10_000;

    /**
     * One label byte of a record. {@code kind} is what {@link DataOptions#labels()} asks for; CIFAR-10's only
     * label answers to "fine", the default, so callers need not know which set has which labels.
     */
    record LabelField(String kind, String namesFile, List<String> standardNames) {
        int classes() {
            return standardNames.size();
        }
    }

    // The MD5s below are the ones the authors' page lists (checked against independent copies of that table).
    static final CifarFormat CIFAR10 = new CifarFormat("cifar10", "CIFAR-10",
            URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), "c32a1d4ab5d03f1284b67883e8d87530",
            "cifar-10-batches-bin",
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
            "test_batch.bin",
            List.of(new LabelField("fine", "batches.meta.txt", List.of(
                    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"))));

    static final CifarFormat CIFAR100 = new CifarFormat("cifar100", "CIFAR-100",
            URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"), "03b5dce01913d631647c71ecec9e9cb8",
            "cifar-100-binary", List.of("train.bin"), "test.bin",
            List.of(new LabelField("coarse", "coarse_label_names.txt", Cifar100Names.COARSE),
                    new LabelField("fine", "fine_label_names.txt", Cifar100Names.FINE)));

    CifarFormat {
        trainFiles = List.copyOf(trainFiles);
        labels = List.copyOf(labels);
    }

    /** Bytes in one record: the label bytes then the pixels. */
    int recordBytes() {
        return labels.size() + PIXELS;
    }

    /** Every file the set needs, training files first. */
    List<String> files() {
        List<String> all = new ArrayList<>(trainFiles);
        all.add(testFile);
        return all;
    }

    /** The archive's file name, e.g. cifar-100-binary.tar.gz. */
    String archiveName() {
        String path = url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The position of the label byte of this kind in a record; an error naming the kinds there are if absent. */
    int labelIndex(String kind) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).kind().equals(kind)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name + " has no '" + kind + "' labels; it has: "
                + String.join(", ", labels.stream().map(LabelField::kind).toList())
                + " (coarse labels exist only for cifar100)");
    }

    /** "label" when a record has one label byte, else "fine label" / "coarse label": for messages. */
    String labelWord(int field) {
        return labels.size() == 1 ? "label" : labels.get(field).kind() + " label";
    }
}
