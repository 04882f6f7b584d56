package org.distill4j.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Teacher;
import org.distill4j.distill.TeacherOutputs;
import org.distill4j.loss.AttentionMaps;
import org.distill4j.model.Features;
import org.distill4j.model.SavedModel;

/**
 * Runs the teacher and a student on a few test images, in inference mode and each forward in its own sub-manager,
 * and brings back as plain arrays what the report draws. Must be called outside any gradient collector (IG opens
 * its own).
 */
final class ModelProbe {
    /** Test images scanned for good examples: enough to find every class, few enough to take seconds. */
    static final int SCAN_LIMIT = 1000;
    private static final int SCAN_BATCH = 100;

    private ModelProbe() {}

    /**
     * What one network shows for the chosen images, at each of its own stages (3 or 4, as the network has them).
     *
     * @param logits     (B, K)
     * @param tiles      [b][stage - 1]: the attention map resized to tile x tile, stretched to [0, 1], row-major
     * @param maps       [b][stage - 1]: the attention map at its own resolution, unscaled, row-major
     * @param mapShapes  [stage - 1] = {H, W} of that stage's map
     * @param mask       [b]: the causal IG mask (in [0, 1]) resized to tile x tile, or null when not computed
     * @param maskShape  {H, W} of the mask before resizing, or null
     */
    record Views(float[][] logits, float[][][] tiles, float[][][] maps, int[][] mapShapes, float[][] mask,
            int[] maskShape) {

        /** Returns the network's number of stages, the maps drawn for it. */
        int stages() {
            return mapShapes.length;
        }
    }

    /** The teacher's logits for the first test images, as far as needed to choose {@code count} of them. */
    static List<Insights.Sample> choose(Teacher teacher, ImageDataset test, int count, NDManager manager) {
        List<Integer> indices = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        SavedModel.Info info = teacher.info();
        try (BatchLoader loader = BatchLoader.builder().setDataset(test.head(SCAN_LIMIT)).setBatchSize(SCAN_BATCH)
                .optNormalization(info.mean(), info.std()).build()) {
            while (loader.hasNext() && !SampleChoice.complete(labels(test, indices), logits.toArray(float[][]::new),
                    count)) {
                HostBatch batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDList x = batch.toNDList(step);
                    float[] flat = teacher.outputs(x.get(0), x.get(1), Set.of(new Signal.Logits())).logits()
                            .toFloatArray(); // (B, K) row-major
                    int k = flat.length / batch.batchSize();
                    for (int b = 0; b < batch.batchSize(); b++) {
                        indices.add(batch.indices()[b]);
                        logits.add(Arrays.copyOfRange(flat, b * k, (b + 1) * k));
                    }
                }
            }
        }
        List<Insights.Sample> samples = new ArrayList<>();
        float[][] all = logits.toArray(float[][]::new);
        int[] labels = labels(test, indices);
        for (int i : SampleChoice.choose(labels, all, count)) {
            samples.add(new Insights.Sample(indices.get(i), labels[i], all[i], SampleChoice.tier(labels[i], all[i])));
        }
        return samples;
    }

    /** The chosen records as a data set of their own, in the order given. */
    static ImageDataset subset(ImageDataset data, List<Insights.Sample> samples) {
        int bytes = data.channels() * data.height() * data.width();
        byte[] images = new byte[samples.size() * bytes];
        int[] labels = new int[samples.size()];
        for (int j = 0; j < samples.size(); j++) {
            System.arraycopy(data.images(), samples.get(j).testIndex() * bytes, images, j * bytes, bytes);
            labels[j] = samples.get(j).label();
        }
        return new ImageDataset(data.name(), images, labels, data.channels(), data.height(), data.width(),
                data.classNames());
    }

    /**
     * The teacher's logits, attention maps at every stage it has and causal mask for every image of
     * {@code images}, the mask as {@code causal} asks.
     */
    static Views teacher(Teacher teacher, ImageDataset images, Signal.Mask causal, int tile, NDManager manager) {
        try (NDManager step = manager.newSubManager()) {
            NDList x = batch(images, teacher.info(), step);
            Set<Signal> signals = new TreeSet<>();
            signals.add(new Signal.Logits());
            boolean masked = teacher.gives(causal); // a TorchScript teacher without that stage's tail: no mask
            if (masked) {
                signals.add(causal);
            }
            for (int s = 1; s <= teacher.stageCount(); s++) {
                signals.add(new Signal.AttentionMap(s, 0, 0));
            }
            TeacherOutputs out = teacher.outputs(x.get(0), x.get(1), signals);
            NDArray mask = masked ? out.get(causal) : null; // (B, H_c, W_c) of the causal stage
            List<NDArray> stageMaps = new ArrayList<>();
            for (int s = 1; s <= teacher.stageCount(); s++) {
                stageMaps.add(out.get(new Signal.AttentionMap(s, 0, 0))); // (B, H_s, W_s)
            }
            Views maps = views(out.logits(), stageMaps, tile);
            if (mask == null) {
                return maps;
            }
            int[] shape = {(int) mask.getShape().get(1), (int) mask.getShape().get(2)};
            float[][] own = rows(mask.toFloatArray(), images.size()); // already in [0, 1], max 1
            float[][] tiles = new float[own.length][];
            for (int i = 0; i < own.length; i++) {
                tiles[i] = nearest(own[i], shape[0], shape[1], tile);
            }
            return new Views(maps.logits(), maps.tiles(), maps.maps(), maps.mapShapes(), tiles, shape);
        }
    }

    /** A student's logits and attention maps at every stage it has, in inference mode. */
    static Views student(SavedModel.Loaded student, ImageDataset images, int tile, NDManager manager) {
        try (NDManager step = manager.newSubManager()) {
            NDList x = batch(images, student.info(), step);
            Features f = student.network().features(new ParameterStore(step, false), x.get(0), false);
            List<NDArray> maps = new ArrayList<>();
            for (int s = 1; s <= f.stageCount(); s++) {
                maps.add(AttentionMaps.spatial(f.stage(s))); // (B, C, H, W) -> (B, H, W)
            }
            return views(f.logits(), maps, tile);
        }
    }

    /** @param maps one (B, H_s, W_s) map per stage, shallow first */
    private static Views views(NDArray logits, List<NDArray> maps, int tile) {
        int b = (int) logits.getShape().get(0);
        int stages = maps.size();
        float[][][] tiles = new float[b][stages][];
        float[][][] raw = new float[b][stages][];
        int[][] shapes = new int[stages][];
        for (int s = 0; s < stages; s++) {
            NDArray map = maps.get(s); // (B, H, W)
            shapes[s] = new int[] {(int) map.getShape().get(1), (int) map.getShape().get(2)};
            float[][] own = rows(map.toFloatArray(), b);
            float[][] resized = rows(scaled(AttentionMaps.resize(map, tile, tile)), b);
            for (int i = 0; i < b; i++) {
                raw[i][s] = own[i];
                tiles[i][s] = resized[i];
            }
        }
        return new Views(rows(logits.toFloatArray(), b), tiles, raw, shapes, null, null);
    }

    /**
     * (B, H, W) -> host floats with each map stretched to [0, 1] (its minimum to 0, its maximum to 1): a map's
     * floor is rarely 0 (every position has some activation), and without the stretch it would hide the pattern.
     */
    private static float[] scaled(NDArray maps) {
        float[] v = maps.toFloatArray();
        int per = v.length / (int) maps.getShape().get(0);
        for (int start = 0; start < v.length; start += per) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = start; i < start + per; i++) {
                min = Math.min(min, v[i]);
                max = Math.max(max, v[i]);
            }
            float range = max - min;
            for (int i = start; i < start + per; i++) {
                v[i] = range > 0 ? (v[i] - min) / range : 0;
            }
        }
        return v;
    }

    /**
     * (h, w) -> (size, size) by nearest neighbour: the mask is kept or dropped per position, and blocks show which
     * positions; smoothing would blur that into blobs.
     */
    static float[] nearest(float[] map, int h, int w, int size) {
        float[] out = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                out[y * size + x] = map[(y * h / size) * w + x * w / size];
            }
        }
        return out;
    }

    private static float[][] rows(float[] flat, int n) {
        int per = flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * per, (i + 1) * per);
        }
        return out;
    }

    /** The whole (small) data set as one batch, normalised as the model was trained. */
    private static NDList batch(ImageDataset images, SavedModel.Info info, NDManager manager) {
        try (BatchLoader loader = BatchLoader.builder().setDataset(images).setBatchSize(images.size())
                .optNormalization(info.mean(), info.std()).build()) {
            return loader.next().toNDList(manager);
        }
    }

    private static int[] labels(ImageDataset data, List<Integer> indices) {
        return indices.stream().mapToInt(data::label).toArray();
    }
}
