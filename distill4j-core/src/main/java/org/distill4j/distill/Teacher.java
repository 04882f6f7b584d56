package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.distill4j.config.ConfigException;
import org.distill4j.model.Features;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;

/**
 * A trained teacher, frozen: its parameters never receive gradients, it runs in inference mode (BatchNorm
 * uses running statistics) and outside the student's gradient collector, so it builds no graph. It accepts
 * batches normalised with the student's statistics and re-normalises them with its own.
 *
 * <p>It is either a distill4j network (a {@code train} run or a saved model directory) or a TorchScript file
 * from PyTorch ({@link TorchScriptTeacher}); both are run through {@link Body}, so every method and the teacher
 * bank treat them alike. A TorchScript teacher gives the logits and the stage outputs only: {@link #requireSignals}
 * names what a method needs beyond that.
 */
public final class Teacher implements TeacherSource, AutoCloseable {
    /** Rows per IG pass: bounds memory (m interpolations of every image go through the teacher's tail). */
    static final int IG_MAX_ROWS = 512;

    /** What a teacher runs, on batches normalised with its own statistics. */
    public interface Body {
        /** Its features in inference mode. */
        Features features(NDArray x);

        /** The network from stage {@code stage}'s output to the logits, differentiable in its input (for IG). */
        NDArray tail(NDArray stageOutput, int stage);

        int stageCount();

        /** Learnable parameters, counted as PyTorch counts them. */
        long parameters();

        /** Null when it can give {@code signal}; otherwise what it lacks, for a message. */
        String lacks(Signal signal);
    }

    private final Body body;
    private final Network network; // null for a TorchScript teacher
    private final String name;
    private final SavedModel.Info info;
    private final AutoCloseable resources;
    private NDArray scale; // (1, C, 1, 1)
    private NDArray shift; // (1, C, 1, 1)

    /** A distill4j network as a teacher (frozen here). */
    public Teacher(Network network, SavedModel.Info info, NDManager manager) {
        this(networkBody(network, manager), network, info.spec().label(), info, null, manager);
    }

    /** An ensemble of teachers taught as one; closing the teacher closes its members. */
    public Teacher(EnsembleTeacher ensemble, SavedModel.Info info, NDManager manager) {
        this(ensemble, null, ensemble.spec().describe(), info, ensemble, manager);
    }

    /** A TorchScript teacher; closing the teacher closes it. */
    public Teacher(TorchScriptTeacher torchScript, NDManager manager) {
        this(torchScript, null, torchScript.file().getFileName() + " (TorchScript)", torchScript.info(),
                torchScript, manager);
    }

    private Teacher(Body body, Network network, String name, SavedModel.Info info, AutoCloseable resources,
            NDManager manager) {
        this.body = body;
        this.network = network;
        this.name = name;
        this.info = info;
        this.resources = resources;
        inputNormalization(info.mean(), info.std(), manager);
    }

    private static Body networkBody(Network network, NDManager manager) {
        ParameterStore parameters = new ParameterStore(manager, false);
        network.freezeParameters(true);
        return new Body() {
            @Override
            public Features features(NDArray x) {
                return network.features(parameters, x, false);
            }

            @Override
            public NDArray tail(NDArray h, int stage) {
                return network.forwardTail(parameters, h, stage, false);
            }

            @Override
            public int stageCount() {
                return network.stageCount();
            }

            @Override
            public long parameters() {
                return Models.countParameters(network);
            }

            @Override
            public String lacks(Signal signal) {
                return null;
            }
        };
    }

    /**
     * Loads a teacher: a TorchScript file ({@code NAME.pt} with its manifest {@code NAME.json} beside it), a
     * finished {@code train} run directory, or a saved model directory (one holding parameters.bin and model.json,
     * such as a shipped checkpoint).
     */
    public static Teacher load(Path path, NDManager manager) throws IOException {
        if (EnsembleTeacher.isEnsemble(path)) {
            EnsembleTeacher ensemble = EnsembleTeacher.load(path, manager);
            return new Teacher(ensemble, ensemble.info(), manager);
        }
        if (isTorchScript(path)) {
            return new Teacher(TorchScriptTeacher.load(path, manager), manager);
        }
        SavedModel.Loaded loaded = SavedModel.load(SavedModel.modelDir(path), manager);
        return new Teacher(loaded.network(), loaded.info(), manager);
    }

    /** Whether {@code path} names a teacher given as a file (TorchScript or an ensemble), not a model directory. */
    public static boolean isFile(Path path) {
        return EnsembleTeacher.isEnsemble(path) || isTorchScript(path);
    }

    /** Whether {@code path} names a TorchScript teacher (a file) rather than a run or model directory. */
    public static boolean isTorchScript(Path path) {
        return !EnsembleTeacher.isEnsemble(path) && (Files.isRegularFile(path)
                || path.getFileName() != null && path.getFileName().toString().endsWith(".pt"));
    }

    /**
     * What identifies the teacher's outputs, for banks and study records: the SHA-256 of a model's parameters.bin,
     * or of a TorchScript file followed by that of its manifest (which sets the normalisation).
     */
    public static String fingerprint(Path path) throws IOException {
        if (EnsembleTeacher.isEnsemble(path)) {
            return EnsembleTeacher.fingerprint(path);
        }
        if (isTorchScript(path)) {
            return SavedModel.sha256File(path) + "+" + SavedModel.sha256File(TorchScriptTeacher.manifestPath(path))
                    .substring(0, 16);
        }
        return SavedModel.sha256(SavedModel.modelDir(path));
    }

    /** The bytes of the teacher's parameters on disk: its parameters.bin, its .pt file, an ensemble's members' sum. */
    public static long fileBytes(Path path) throws IOException {
        if (EnsembleTeacher.isEnsemble(path)) {
            long sum = 0;
            for (Path p : EnsembleTeacher.readSpec(path).members()) {
                sum += fileBytes(p);
            }
            return sum;
        }
        return Files.size(isTorchScript(path) ? path : SavedModel.modelDir(path).resolve(SavedModel.PARAMETERS));
    }

    /** The teacher's description (architecture, input, normalisation, class names, dataset). */
    public static SavedModel.Info readInfo(Path path) throws IOException {
        if (EnsembleTeacher.isEnsemble(path)) {
            return EnsembleTeacher.readInfo(path);
        }
        if (isTorchScript(path)) {
            TorchScriptTeacher.Manifest m = TorchScriptTeacher.readManifest(path);
            return TorchScriptTeacher.info(m);
        }
        return SavedModel.readInfo(SavedModel.modelDir(path));
    }

    public SavedModel.Info info() {
        return info;
    }

    /** "resnet50-cbam w16", or "NAME.pt (TorchScript)". */
    public String name() {
        return name;
    }

    /** The ensemble this teacher is, or null for one network. */
    public EnsembleTeacher ensemble() {
        return body instanceof EnsembleTeacher e ? e : null;
    }

    /** The distill4j network, or null for a TorchScript teacher or an ensemble. */
    public Network network() {
        return network;
    }

    public int stageCount() {
        return body.stageCount();
    }

    public long parameters() {
        return body.parameters();
    }

    /** The logits of images normalised with the teacher's own statistics, in inference mode. */
    public NDArray logits(NDArray x) {
        return body.features(x).logits();
    }

    /** The shapes of what the teacher returns for one image, from one pass on zeros. */
    public PairShapes.Net shapes(NDManager manager, int height, int width) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray x = scratch.zeros(new Shape(2, info.channels(), height, width));
            return PairShapes.Net.of(name, body.features(x));
        }
    }

    /** Whether the teacher can give {@code signal} (a TorchScript teacher gives no pooled embedding, say). */
    public boolean gives(Signal signal) {
        return body.lacks(signal) == null;
    }

    /**
     * Fails, naming every signal the teacher cannot give and why, unless it can give all of {@code signals}.
     *
     * @param method the method asking, for the message
     */
    public void requireSignals(Set<Signal> signals, String method) {
        Map<String, List<String>> byReason = new java.util.LinkedHashMap<>();
        for (Signal s : signals) {
            String why = body.lacks(s);
            if (why != null) {
                byReason.computeIfAbsent(why, k -> new ArrayList<>()).add(s.key());
            }
        }
        if (!byReason.isEmpty()) {
            List<String> missing = new ArrayList<>();
            byReason.forEach((why, keys) -> missing.add(String.join(", ", keys) + " (" + why + ")"));
            throw new ConfigException("teacher " + name + " cannot give what method " + method + " reads: "
                    + String.join("; ", missing) + ". Methods that read logits, stage outputs, attention maps and "
                    + "causal masks work with it");
        }
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

    /** Its features for images normalised as {@link #inputNormalization} declared (an ensemble's members). */
    Features featuresOf(NDArray images) {
        return body.features(images.mul(scale).add(shift));
    }

    /** Its network from stage {@code stage}'s output to the logits. */
    NDArray tailOf(NDArray stageOutput, int stage) {
        return body.tail(stageOutput, stage);
    }

    /** Null when it can give {@code signal}; otherwise why not. */
    String lacksOf(Signal signal) {
        return body.lacks(signal);
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
        Features f = featuresOf(images);
        Map<Signal, NDArray> values = new TreeMap<>();
        Map<String, NDArray> attributions = new HashMap<>();
        for (Signal s : signals) {
            if (s instanceof Signal.Mask m) {
                NDArray a = attributions.computeIfAbsent(m.stage() + "/" + m.steps(), k -> IntegratedGradients.attributions(
                        h -> body.tail(h, m.stage()), f.stage(m.stage()), labels, m.steps(), IG_MAX_ROWS)); // (B, C, H, W)
                values.put(s, CausalMask.fromAttributions(a, m.top())); // (B, H, W)
            } else {
                values.put(s, s.compute(f));
            }
        }
        return new TeacherOutputs(values);
    }

    /** Releases a TorchScript teacher's module; a distill4j network lives in the manager it was loaded into. */
    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing teacher " + name + ": " + e.getMessage(), e);
            }
        }
    }
}
