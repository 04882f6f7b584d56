package org.distill4j.experiment;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.distill4j.config.DistillConfig;
import org.distill4j.config.TrainConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.DataSplit;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.DistillationRun;
import org.distill4j.distill.Method;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Teacher;
import org.distill4j.distill.TeacherBank;
import org.distill4j.train.Devices;
import org.distill4j.train.TrainingRun;

/**
 * Which teacher bank each distilled variant of a study reads: variants that train on the same images with the same
 * augmentation from the same teacher share one bank holding the union of what they read, as long as it fits in {@code teacherBank.maxGB};
 * the smallest needs are packed first, and a variant that does not fit beside the others gets a bank of its own. A
 * variant whose own signals exceed the limit runs the teacher online (its metrics.json says why).
 */
final class BankPlan {
    private final Map<String, Set<Signal>> shared;
    private final List<String> lines;

    private BankPlan(Map<String, Set<Signal>> shared, List<String> lines) {
        this.shared = shared;
        this.lines = lines;
    }

    /** No bank: every variant runs the teacher online. */
    static BankPlan none() {
        return new BankPlan(Map.of(), List.of());
    }

    /** What variant v's bank stores beside its own signals, or null: its own only (or online). */
    Set<Signal> signalsFor(String variant) {
        return shared.get(variant);
    }

    /** One line per bank, for the study's log. */
    List<String> describe() {
        return lines;
    }

    private record Need(Variant variant, String dataKey, Set<Signal> signals, long bytes, Map<Signal, Long> perImage,
            long records, int bytesPerValue) {}

    /**
     * @param teacherOf the teacher model each distilled variant reads (the study's, or the variant's own); a variant
     *                  whose teacher cannot be found or loaded is left out (its runs fail on their own)
     */
    static BankPlan of(ExperimentConfig config, Function<Variant, Path> teacherOf, Function<TrainConfig, DataSplit> data)
            throws IOException {
        if (config.teacherBank() == null) {
            return none();
        }
        long cap = config.teacherBank().maxBytes();
        List<Need> needs = new ArrayList<>();
        Map<Path, Teacher> teachers = new HashMap<>();
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(config.student().device()))) {
            for (Variant v : config.variants()) {
                if (v.labelsOnly() || v.bornAgain()) {
                    continue; // a born-again variant's teacher is another student per seed: it runs online
                }
                TrainConfig sc = config.studentConfig(v, config.seeds().get(0));
                ImageDataset train = data.apply(sc).train();
                Method method;
                Path teacherModel;
                Teacher teacher;
                try {
                    teacherModel = teacherOf.apply(v);
                    teacher = teachers.get(teacherModel);
                    if (teacher == null) {
                        teacher = Teacher.load(teacherModel, manager);
                        teachers.put(teacherModel, teacher);
                    }
                } catch (IOException | RuntimeException e) {
                    continue; // its runs fail with the reason; the others share their banks
                }
                try {
                    teacher.inputNormalization(train.channelMean(), train.channelStd(), manager);
                    method = DistillationRun.bind(new DistillConfig(teacherModel.toString(), sc, v.method()), teacher,
                            train, manager);
                } catch (RuntimeException e) {
                    continue; // a variant that does not fit the pair fails on its own, not in everyone's bank
                }
                Augmentation augmentation = TrainingRun.augmentation(sc);
                boolean identity = augmentation.pad() == 0 && !augmentation.flip();
                long records = (long) train.size() * (identity ? 1 : config.teacherBank().views());
                Map<Signal, Long> perImage = DistillationRun.valuesPerImage(teacher, train, method.teacherSignals(),
                        manager);
                int bpv = config.teacherBank().bytesPerValue();
                needs.add(new Need(v, train.sha256() + "|" + augmentation + "|" + teacherModel, method.teacherSignals(),
                        TeacherBank.estimateBytes(perImage, records, bpv), perImage, records, bpv));
            }
        } finally {
            teachers.values().forEach(Teacher::close);
        }
        Map<String, Set<Signal>> shared = new HashMap<>();
        List<String> lines = new ArrayList<>();
        Map<String, List<Need>> byData = new LinkedHashMap<>();
        needs.forEach(n -> byData.computeIfAbsent(n.dataKey(), k -> new ArrayList<>()).add(n));
        for (List<Need> group : byData.values()) {
            group.sort(Comparator.comparingLong(Need::bytes));
            List<List<Need>> banks = new ArrayList<>();
            List<Set<Signal>> unions = new ArrayList<>();
            for (Need n : group) {
                if (n.bytes() > cap) {
                    lines.add(String.format(Locale.ROOT, "%s runs the teacher online: its signals would take %.1f GB, "
                            + "over teacherBank.maxGB", n.variant().name(), n.bytes() / 1e9));
                    continue;
                }
                int placed = -1;
                for (int b = 0; b < banks.size() && placed < 0; b++) {
                    Set<Signal> union = new TreeSet<>(unions.get(b));
                    union.addAll(n.signals());
                    if (bytes(union, banks.get(b), n) <= cap) {
                        unions.set(b, union);
                        banks.get(b).add(n);
                        placed = b;
                    }
                }
                if (placed < 0) {
                    banks.add(new ArrayList<>(List.of(n)));
                    unions.add(new TreeSet<>(n.signals()));
                }
            }
            for (int b = 0; b < banks.size(); b++) {
                Set<Signal> union = unions.get(b);
                for (Need n : banks.get(b)) {
                    shared.put(n.variant().name(), union);
                }
                lines.add(String.format(Locale.ROOT, "teacher bank of %.1f GB for %s", bytes(union, banks.get(b), null)
                        / 1e9, String.join(", ", banks.get(b).stream().map(n -> n.variant().name()).toList())));
            }
        }
        return new BankPlan(shared, lines);
    }

    /** The size of a bank holding {@code union}, from the per-image sizes its variants (and {@code extra}) measured. */
    private static long bytes(Set<Signal> union, List<Need> members, Need extra) {
        Map<Signal, Long> perImage = new HashMap<>();
        members.forEach(m -> perImage.putAll(m.perImage()));
        if (extra != null) {
            perImage.putAll(extra.perImage());
        }
        Map<Signal, Long> stored = new HashMap<>();
        union.forEach(s -> stored.put(s, perImage.get(s)));
        Need any = extra != null ? extra : members.get(0);
        return TeacherBank.estimateBytes(stored, any.records(), any.bytesPerValue());
    }
}
