package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.distill4j.model.Network;
import org.distill4j.model.Features;
import org.distill4j.model.SavedModel;

/**
 * A trained teacher, frozen: its parameters never receive gradients, it runs in inference mode (BatchNorm
 * uses running statistics) and outside the student's gradient collector, so it builds no graph. It accepts
 * batches normalised with the student's statistics and re-normalises them with its own.
 */
public final class Teacher implements TeacherSource {
    /** Rows per IG pass: bounds memory (m interpolations of every image go through the teacher's tail). */
    static final int IG_MAX_ROWS = 512;

    private final Network network;
    private final SavedModel.Info info;
    private final ParameterStore parameters;
    private NDArray scale; // (1, C, 1, 1)
    private NDArray shift; // (1, C, 1, 1)

    public Teacher(Network network, SavedModel.Info info, NDManager manager) {
        this.network = network;
        this.info = info;
        this.parameters = new ParameterStore(manager, false);
        network.freezeParameters(true);
        inputNormalization(info.mean(), info.std(), manager);
    }

    /**
     * Loads a teacher from a finished {@code train} run directory, or from a saved model directory (one holding
     * parameters.bin and model.json, such as a shipped checkpoint).
     */
    public static Teacher load(Path runOrModelDir, NDManager manager) throws IOException {
        SavedModel.Loaded loaded = SavedModel.load(SavedModel.modelDir(runOrModelDir), manager);
        return new Teacher(loaded.network(), loaded.info(), manager);
    }

    public SavedModel.Info info() {
        return info;
    }

    public Network network() {
        return network;
    }

    /**
     * Declares the normalisation of the batches the teacher will be given: x_t = (x_s * std_s + mean_s - mean_t) / std_t,
     * i.e. x_t = x_s * scale + shift per channel.
     */
    public void inputNormalization(float[] mean, float[] std, NDManager manager) {
        int c = mean.length;
        float[] a = new float[c];
        float[] b = new float[c];
        for (int i = 0; i < c; i++) {
            a[i] = std[i] / info.std()[i];
            b[i] = (mean[i] - info.mean()[i]) / info.std()[i];
        }
        scale = manager.create(a, new Shape(1, c, 1, 1));
        shift = manager.create(b, new Shape(1, c, 1, 1));
    }

    /** Online: runs the teacher on the batch as given; which records and views they are does not matter. */
    @Override
    public TeacherOutputs outputs(NDArray images, NDArray labels, int[] indices, int[] views, Set<Signal> signals) {
        return outputs(images, labels, signals);
    }

    /**
     * The teacher's signals for one batch. Must be called outside any gradient collector (IG opens its own). Masks
     * that explain the same stage with the same steps share one Integrated-Gradients pass.
     *
     * @param images (B, C, H, W) normalised with the statistics given to {@link #inputNormalization}
     * @param labels (B,) true classes (IG explains the true class's logit)
     */
    public TeacherOutputs outputs(NDArray images, NDArray labels, Set<Signal> signals) {
        NDArray x = images.mul(scale).add(shift);
        Features f = network.features(parameters, x, false);
        Map<Signal, NDArray> values = new TreeMap<>();
        Map<String, NDArray> attributions = new HashMap<>();
        for (Signal s : signals) {
            if (s instanceof Signal.Mask m) {
                NDArray a = attributions.computeIfAbsent(m.stage() + "/" + m.steps(), k -> IntegratedGradients.attributions(
                        h -> network.forwardTail(parameters, h, m.stage(), false), f.stage(m.stage()), labels,
                        m.steps(), IG_MAX_ROWS)); // (B, C, H, W)
                values.put(s, CausalMask.fromAttributions(a, m.top())); // (B, H, W)
            } else {
                values.put(s, s.compute(f));
            }
        }
        return new TeacherOutputs(values);
    }
}
