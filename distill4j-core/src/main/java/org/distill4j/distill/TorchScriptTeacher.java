package org.distill4j.distill;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.distill4j.model.Features;
import org.distill4j.model.SavedModel;
import org.distill4j.run.Errors;

/**
 * A teacher trained in PyTorch: a traced TorchScript file ({@code NAME.pt}) whose {@code forward(x)} returns the
 * logits and the stage outputs, and, for the causal terms, methods {@code tailK(stageK) -> logits}; described by
 * its manifest {@code NAME.json} beside it (input size, normalisation, class names, every output's name and
 * shape; {@code scripts/torchscript_teacher.py} writes both and documents the format).
 *
 * <p>Loaded with libtorch's autograd enabled ({@code trainParam}) and the parameters frozen, so Integrated
 * Gradients can differentiate through a tail with respect to its input (INTEROP.md, section 1). The forward runs
 * in inference mode; its outputs are copied so they may enter a loss beside the student's tensors.
 */
public final class TorchScriptTeacher implements Teacher.Body, AutoCloseable {
    /** The manifest's {@code format} this reader understands. */
    public static final String FORMAT = "distill4j-torchscript/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One output of {@code forward}, in order: first the logits, then the stages, shallow first. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(String name, long[] shape, String tail) {}

    /** The input the teacher takes: {@code (B, channels, height, width)}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(int channels, int height, int width) {}

    /** The manifest: what {@code NAME.json} says. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Manifest(String format, String model, String dataset, Input input, float[] mean, float[] std,
            List<String> classNames, List<Output> outputs) {}

    private final Path file;
    private final Manifest manifest;
    private final ZooModel<NDList, NDList> model;
    private final PtSymbolBlock block;

    private TorchScriptTeacher(Path file, Manifest manifest, ZooModel<NDList, NDList> model) {
        this.file = file;
        this.manifest = manifest;
        this.model = model;
        this.block = (PtSymbolBlock) model.getBlock();
        block.freezeParameters(true);
    }

    /** The manifest beside a TorchScript file: {@code NAME.json} for {@code NAME.pt}. */
    public static Path manifestPath(Path pt) {
        String name = pt.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return pt.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
    }

    /**
     * Loads a TorchScript teacher and checks it against its manifest on one zero image: the outputs' count and
     * shapes, and the class count.
     *
     * @throws IOException naming the file and what to do when the file is not TorchScript, the manifest is missing
     *     or malformed, or the two disagree
     */
    public static TorchScriptTeacher load(Path pt, NDManager manager) throws IOException {
        Manifest manifest = readManifest(pt);
        if (!Files.isRegularFile(pt)) {
            throw new IOException(pt + ": no such TorchScript file");
        }
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(pt).optEngine("PyTorch").optOption("trainParam", "true").build();
        ZooModel<NDList, NDList> model;
        try {
            model = criteria.loadModel();
        } catch (MalformedModelException | ModelNotFoundException | RuntimeException e) {
            throw new IOException(pt + ": not a TorchScript file libtorch can load (" + Errors.rootMessage(e) + "); save "
                    + "the teacher with torch.jit.trace_module(...).save(...), see scripts/torchscript_teacher.py", e);
        }
        TorchScriptTeacher teacher = new TorchScriptTeacher(pt, manifest, model);
        try {
            teacher.check(manager);
        } catch (IOException | RuntimeException e) {
            teacher.close();
            throw e;
        }
        return teacher;
    }

    static Manifest readManifest(Path pt) throws IOException {
        Path path = manifestPath(pt);
        if (!Files.isRegularFile(path)) {
            throw new IOException(pt + ": its manifest " + path.getFileName() + " is missing; write it beside the "
                    + "file (input, mean, std, classNames, outputs; see scripts/torchscript_teacher.py)");
        }
        Manifest m;
        try {
            m = JSON.readValue(path.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new IOException(path + ": malformed manifest (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
        List<String> problems = new ArrayList<>();
        if (!FORMAT.equals(m.format())) {
            problems.add("format must be \"" + FORMAT + "\", got " + m.format());
        }
        if (m.input() == null || m.input().channels() < 1 || m.input().height() < 1 || m.input().width() < 1) {
            problems.add("input needs channels, height and width >= 1");
        } else if (m.mean() == null || m.std() == null || m.mean().length != m.input().channels()
                || m.std().length != m.input().channels()) {
            problems.add("mean and std need one value per input channel");
        }
        if (m.classNames() == null || m.classNames().size() < 2) {
            problems.add("classNames needs at least 2 names");
        }
        if (m.outputs() == null || m.outputs().size() < 2 || !"logits".equals(m.outputs().get(0).name())) {
            problems.add("outputs must list logits first, then at least one stage");
        } else {
            for (Output o : m.outputs()) {
                if (o.name() == null || o.shape() == null || o.shape().length == 0) {
                    problems.add("every output needs a name and a shape (without the batch axis)");
                    break;
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(path + ": " + String.join("; ", problems));
        }
        return m;
    }

    /** Runs one zero image and compares what comes back with the manifest. */
    private void check(NDManager manager) throws IOException {
        Input in = manifest.input();
        try (NDManager scratch = manager.newSubManager()) {
            NDList out;
            try {
                out = run(scratch.zeros(new Shape(1, in.channels(), in.height(), in.width())));
            } catch (RuntimeException e) {
                throw new IOException(file + ": forward failed on a (1, " + in.channels() + ", " + in.height() + ", "
                        + in.width() + ") input as the manifest declares it (" + Errors.rootMessage(e) + ")", e);
            }
            if (out.size() != manifest.outputs().size()) {
                throw new IOException(file + ": forward returns " + out.size() + " outputs, its manifest lists "
                        + manifest.outputs().size() + "; list the logits and every stage forward returns, in order");
            }
            for (int i = 0; i < out.size(); i++) {
                Output o = manifest.outputs().get(i);
                Shape got = out.get(i).getShape().slice(1);
                if (!got.equals(new Shape(o.shape()))) {
                    throw new IOException(file + ": output " + (i + 1) + " (" + o.name() + ") has shape " + got
                            + " per image, its manifest says " + new Shape(o.shape()));
                }
            }
            if (out.get(0).getShape().get(1) != manifest.classNames().size()) {
                throw new IOException(file + ": the logits have " + out.get(0).getShape().get(1) + " classes, the "
                        + "manifest names " + manifest.classNames().size());
            }
        }
    }

    public Path file() {
        return file;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The teacher as distill4j describes models (architecture = the manifest's model name, width 0). */
    public SavedModel.Info info() {
        return info(manifest);
    }

    static SavedModel.Info info(Manifest m) {
        Input in = m.input();
        return new SavedModel.Info(m.model(), 0, m.classNames().size(), in.channels(), in.height(), in.width(),
                m.mean(), m.std(), m.classNames(), m.dataset());
    }

    /** Learnable scalars of the module (as PyTorch's {@code sum(p.numel() for p in model.parameters())}). */
    @Override
    public long parameters() {
        long total = 0;
        for (var p : block.getParameters().values()) {
            total += p.getArray().getShape().size();
        }
        return total;
    }

    /**
     * The manifest covers the logits and the stage outputs (after their activation), and the masks of stages that
     * have a tail; not the pre-activation forms, the pooled embedding or the residual blocks' outputs.
     */
    @Override
    public String lacks(Signal signal) {
        if (signal instanceof Signal.Stage st && st.preact()) {
            return "a TorchScript teacher gives its stages after their activation only";
        }
        if (signal instanceof Signal.Channels) {
            return "it pools the stage before its activation, which a TorchScript teacher does not give";
        }
        if (signal instanceof Signal.Pooled) {
            return "the manifest lists no pooled embedding; a TorchScript teacher gives logits and stage outputs";
        }
        if (signal instanceof Signal.BlockPooled || signal instanceof Signal.BlockMap) {
            return "a TorchScript teacher gives no residual block outputs";
        }
        if (signal instanceof Signal.Mask m && m.stage() >= 1 && m.stage() <= stageCount() && !hasTail(m.stage())) {
            return "the causal mask needs the network from stage " + m.stage() + " to the logits; export a tail"
                    + m.stage() + " method and name it in the manifest's output \"tail\" field (see "
                    + "scripts/torchscript_teacher.py)";
        }
        return null; // logits, stage outputs, attention maps, masks with a tail
    }

    /** The number of stages forward returns after the logits. */
    @Override
    public int stageCount() {
        return manifest.outputs().size() - 1;
    }

    /**
     * Runs forward in inference mode on images normalised with the manifest's mean and std.
     *
     * @return the logits and the stage outputs; no pooled embedding or block outputs, and the stages stand in for
     *     their pre-activation forms (the manifest does not declare them: {@link #lacks} names them, and
     *     {@link Teacher#requireSignals} stops a method that reads them before it runs)
     */
    @Override
    public Features features(NDArray x) {
        NDList out = run(x);
        List<NDArray> stages = new ArrayList<>(out.subList(1, out.size()));
        return new Features(out.get(0), stages, stages, null, List.of(), null);
    }

    private NDList run(NDArray x) {
        NDList out = IValueUtils.forward(block, new NDList(x), false);
        NDList copies = new NDList(out.size());
        for (NDArray a : out) { // inference tensors cannot be saved for backward beside the student's
            NDArray c = a.duplicate();
            c.attach(x.getManager());
            copies.add(c);
        }
        out.close();
        return copies;
    }

    /** Whether stage k (1-based) has a tail method, for the causal terms. */
    public boolean hasTail(int stage) {
        return tailName(stage) != null;
    }

    private String tailName(int stage) {
        if (stage < 1 || stage > stageCount()) {
            throw new IllegalArgumentException(file + " has stages 1.." + stageCount() + ", got " + stage);
        }
        return manifest.outputs().get(stage).tail();
    }

    /**
     * The network from stage k's output onwards, with autograd on (for Integrated Gradients).
     *
     * @throws IllegalStateException naming the file and the method when the manifest declares no tail there
     */
    @Override
    public NDArray tail(NDArray stageOutput, int stage) {
        String method = tailName(stage);
        if (method == null) {
            throw new IllegalStateException(file + ": the causal terms need the network from stage " + stage
                    + " (" + manifest.outputs().get(stage).name() + ") to the logits, and the manifest gives no tail "
                    + "method for it; export one (tail" + stage + " in scripts/torchscript_teacher.py) and name it "
                    + "in the output's \"tail\" field");
        }
        NDArray selector = stageOutput.getManager().create("");
        selector.setName("module_method:" + method);
        return IValueUtils.forward(block, new NDList(stageOutput, selector), true).singletonOrThrow();
    }

    @Override
    public void close() {
        model.close();
    }
}
