package org.distill4j.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.distill4j.loss.AttentionMaps;

/**
 * The teacher's and the student's attention maps paired as attention transfer pairs them: stage s with stage s,
 * for s up to the smaller of the two stage counts (a 4-stage ResNet18 teacher and a 3-stage ShuffleNet student
 * pair stages 1-3; the teacher's stage 4 has no partner). Each pair is compared as the loss compares it: both maps
 * resized to the smaller of the two sizes along each axis ({@link org.distill4j.loss.AttentionTransfer}).
 *
 * @param count   the paired stages are 1..count
 * @param cosines [b][stage - 1]: cosine similarity of the pair; NaN where a map is all zero
 */
record StagePairs(int count, double[][] cosines) {

    /** @param manager parent of a scratch manager for the resizing, closed on return */
    static StagePairs of(ModelProbe.Views teacher, ModelProbe.Views student, NDManager manager) {
        int count = Math.min(teacher.stages(), student.stages());
        int images = teacher.maps().length;
        double[][] cosines = new double[images][count];
        try (NDManager scratch = manager.newSubManager()) {
            for (int s = 0; s < count; s++) {
                int[] t = teacher.mapShapes()[s];
                int[] u = student.mapShapes()[s];
                int h = Math.min(t[0], u[0]);
                int w = Math.min(t[1], u[1]);
                float[][] a = resized(teacher.maps(), s, t, h, w, scratch);
                float[][] b = resized(student.maps(), s, u, h, w, scratch);
                for (int i = 0; i < images; i++) {
                    cosines[i][s] = cosine(a[i], b[i]);
                }
            }
        }
        return new StagePairs(count, cosines);
    }

    /** The mean over the images of stage {@code stage}'s cosine, leaving out NaNs; NaN if every one is. */
    double mean(int stage) {
        double sum = 0;
        int n = 0;
        for (double[] image : cosines) {
            if (!Double.isNaN(image[stage - 1])) {
                sum += image[stage - 1];
                n++;
            }
        }
        return n > 0 ? sum / n : Double.NaN;
    }

    /** cos(a, b) = a.b / (|a| |b|); NaN when the maps differ in size or one is all zero. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.NaN;
        }
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : Double.NaN;
    }

    /** [b][stage][H * W] of stage {@code s} -> [b][h * w], by the loss's own resize. */
    private static float[][] resized(float[][][] maps, int s, int[] shape, int h, int w, NDManager manager) {
        float[] flat = new float[maps.length * shape[0] * shape[1]];
        for (int i = 0; i < maps.length; i++) {
            System.arraycopy(maps[i][s], 0, flat, i * maps[i][s].length, maps[i][s].length);
        }
        NDArray all = manager.create(flat, new Shape(maps.length, shape[0], shape[1])); // (B, H, W)
        float[] out = AttentionMaps.resize(all, h, w).toFloatArray(); // (B, h, w)
        float[][] rows = new float[maps.length][];
        for (int i = 0; i < maps.length; i++) {
            rows[i] = Arrays.copyOfRange(out, i * h * w, (i + 1) * h * w);
        }
        return rows;
    }
}
