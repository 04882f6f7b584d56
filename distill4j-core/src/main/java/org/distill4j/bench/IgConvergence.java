package org.distill4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Teacher;
import org.distill4j.distill.Signal;

/**
 * How close causal masks computed with few Integrated-Gradients steps are to masks with many: for each m, the
 * Pearson correlation per image between the mask at m and the mask at the reference m (all positions kept),
 * averaged over real test images, with the time IG takes per image. This is the evidence for the default m.
 */
public final class IgConvergence {
    static final int BATCH = 64;

    /**
     * @param images           images compared
     * @param constant         images left out because a mask was constant (no positive evidence: all ones)
     * @param reference        the reference m
     * @param meanCorrelation  m -> mean correlation with the reference mask
     * @param minCorrelation   m -> the lowest per-image correlation
     * @param msPerImage       m -> milliseconds of teacher forward + IG per image
     */
    public record Result(int images, int constant, int reference, Map<Integer, Double> meanCorrelation,
            Map<Integer, Double> minCorrelation, Map<Integer, Double> msPerImage) {}

    private IgConvergence() {}

    public static Result measure(Teacher teacher, ImageDataset test, int images, List<Integer> steps, int reference,
            int stage, NDManager manager, Consumer<String> log) {
        ImageDataset data = test.head(Math.min(images, test.size()));
        Map<Integer, double[]> sums = new LinkedHashMap<>();
        Map<Integer, Double> mins = new LinkedHashMap<>();
        Map<Integer, Long> nanos = new LinkedHashMap<>();
        for (int m : steps) {
            sums.put(m, new double[1]);
            mins.put(m, Double.MAX_VALUE);
            nanos.put(m, 0L);
        }
        nanos.put(reference, 0L);
        int compared = 0;
        int constant = 0;
        try (BatchLoader loader = BatchLoader.builder().setDataset(data).setBatchSize(BATCH)
                .optNormalization(teacher.info().mean(), teacher.info().std()).build()) {
            while (loader.hasNext()) {
                HostBatch batch = loader.next();
                try (NDManager sub = manager.newSubManager()) {
                    NDList xy = batch.toNDList(sub);
                    float[][] ref = masks(teacher, xy, reference, stage, nanos);
                    Map<Integer, float[][]> byM = new LinkedHashMap<>();
                    for (int m : steps) {
                        byM.put(m, masks(teacher, xy, m, stage, nanos));
                    }
                    for (int i = 0; i < ref.length; i++) {
                        boolean skip = isConstant(ref[i]);
                        for (float[][] mm : byM.values()) {
                            skip |= isConstant(mm[i]);
                        }
                        if (skip) {
                            constant++;
                            continue;
                        }
                        compared++;
                        for (int m : steps) {
                            double r = pearson(byM.get(m)[i], ref[i]);
                            sums.get(m)[0] += r;
                            mins.put(m, Math.min(mins.get(m), r));
                        }
                    }
                }
                log.accept("IG masks: " + (compared + constant) + "/" + data.size() + " images");
            }
        }
        Map<Integer, Double> mean = new LinkedHashMap<>();
        Map<Integer, Double> ms = new LinkedHashMap<>();
        for (int m : steps) {
            mean.put(m, compared == 0 ? Double.NaN : sums.get(m)[0] / compared);
            ms.put(m, nanos.get(m) / 1e6 / data.size());
        }
        ms.put(reference, nanos.get(reference) / 1e6 / data.size());
        return new Result(compared, constant, reference, mean, mins, ms);
    }

    /** The causal masks (all positions kept) of one batch at m steps, as one float array per image. */
    private static float[][] masks(Teacher teacher, NDList xy, int m, int stage, Map<Integer, Long> nanos) {
        long t0 = System.nanoTime();
        Signal.Mask wanted = new Signal.Mask(stage, m, 0);
        NDArray mask = teacher.outputs(xy.get(0), xy.get(1), Set.of(wanted)).get(wanted);
        float[] flat = mask.toFloatArray();
        nanos.merge(m, System.nanoTime() - t0, Long::sum);
        int b = (int) mask.getShape().get(0);
        int n = flat.length / b;
        float[][] out = new float[b][n];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * n, out[i], 0, n);
        }
        return out;
    }

    static boolean isConstant(float[] x) {
        for (float v : x) {
            if (v != x[0]) {
                return false;
            }
        }
        return true;
    }

    static double pearson(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
