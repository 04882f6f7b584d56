package org.distill4j.distill;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.model.CheckedParameters;

/**
 * What a term owns beyond its formula: trainable modules (FitNets' regressor, VID's regressors and variances, CRD's
 * and CC's embedding heads, AFD's attention heads), trained with the student by the same optimizer, and state that
 * is kept but not trained (CRD's memories and normalisers, H-AT's channel choice). Both are saved in checkpoints
 * and restored on resume; neither is part of the exported student.
 */
public final class Parts {
    /** A term that owns nothing. */
    public static final Parts NONE = new Parts(null, new LinkedHashMap<>(), new LinkedHashMap<>());

    /**
     * What a term may know when it creates its parts.
     *
     * @param manager       owns the parts' arrays for the whole run
     * @param trainLabels   the class of every training record, by dataset index (CRD's class-aware negatives)
     * @param numClasses    K
     * @param seed          the run's seed (per-step sampling derives from it, so a resumed run draws the same)
     */
    public record Context(NDManager manager, int[] trainLabels, int numClasses, long seed) {}

    private final NDManager manager;
    private final Map<String, Block> modules;
    private final Map<String, NDArray> state;
    private final ParameterStore store;

    private Parts(NDManager manager, Map<String, Block> modules, Map<String, NDArray> state) {
        this.manager = manager;
        this.modules = modules;
        this.state = state;
        this.store = manager == null ? null : new ParameterStore(manager, false);
    }

    /** Starts the parts of one term; their arrays live in {@code manager}. */
    public static Builder builder(NDManager manager) {
        return new Builder(manager);
    }

    /** Adds modules (initialised for their input shapes) and named state arrays. */
    public static final class Builder {
        private final NDManager manager;
        private final Map<String, Block> modules = new LinkedHashMap<>();
        private final Map<String, NDArray> state = new LinkedHashMap<>();

        private Builder(NDManager manager) {
            this.manager = manager;
        }

        /** A trainable module, initialised in float32 for inputs of {@code inputShapes} (batch first). */
        public Builder module(String name, Block block, Shape... inputShapes) {
            if (modules.containsKey(name)) {
                throw new IllegalArgumentException("module " + name + " added twice");
            }
            block.initialize(manager, DataType.FLOAT32, inputShapes);
            modules.put(name, block);
            return this;
        }

        /** A state array, kept across steps and checkpoints but never trained. */
        public Builder state(String name, NDArray initial) {
            initial.attach(manager);
            state.put(name, initial);
            return this;
        }

        public Parts build() {
            return modules.isEmpty() && state.isEmpty() ? NONE : new Parts(manager, modules, state);
        }
    }

    /** Runs a module on one array. */
    public NDArray forward(String module, NDArray x, boolean training) {
        return forward(module, new NDList(x), training).singletonOrThrow();
    }

    /** Runs a module. */
    public NDList forward(String module, NDList x, boolean training) {
        return module(module).forward(store, x, training);
    }

    public Block module(String name) {
        Block b = modules.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no module " + name + " (modules: " + modules.keySet() + ")");
        }
        return b;
    }

    public NDArray state(String name) {
        NDArray a = state.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no state " + name + " (state: " + state.keySet() + ")");
        }
        return a;
    }

    /** Replaces a state array by a value computed in a step: it is moved to the parts' manager, the old one closed. */
    public void setState(String name, NDArray value) {
        NDArray old = state(name);
        if (old == value) {
            return;
        }
        value.attach(manager);
        state.put(name, value);
        old.close();
    }

    /** Names of the state arrays. */
    public List<String> stateNames() {
        return List.copyOf(state.keySet());
    }

    /** Every parameter by {@code module.parameter} name, trainable ones and BatchNorm statistics alike. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        modules.forEach((name, block) -> block.getParameters().forEach(p -> all.put(name + "." + p.getKey(), p.getValue())));
        return all;
    }

    /** The parameters the optimizer updates. */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        parameters().values().stream().filter(Parameter::requiresGradient).forEach(out::add);
        return out;
    }

    /** Learnable scalars, as {@code Models.countParameters} counts a network's (BatchNorm statistics left out). */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters().values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                n += p.getArray().getShape().size();
            }
        }
        return n;
    }

    /** Writes modules (parameters and BatchNorm statistics) and state. */
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(modules.size());
        for (Map.Entry<String, Block> m : modules.entrySet()) {
            out.writeUTF(m.getKey());
            m.getValue().saveParameters(out);
        }
        out.writeInt(state.size());
        for (Map.Entry<String, NDArray> s : state.entrySet()) {
            out.writeUTF(s.getKey());
            byte[] bytes = s.getValue().encode();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    /** Restores what {@link #save} wrote into these same parts; fails naming what does not match. */
    public void load(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != modules.size()) {
            throw new IOException("the checkpoint holds " + n + " modules of this term, the method has "
                    + modules.size() + " (" + modules.keySet() + ")");
        }
        for (Map.Entry<String, Block> m : modules.entrySet()) {
            String name = in.readUTF();
            if (!name.equals(m.getKey())) {
                throw new IOException("the checkpoint holds module " + name + " where the method has " + m.getKey());
            }
            try {
                m.getValue().loadParameters(manager, CheckedParameters.read(m.getValue(), in));
            } catch (MalformedModelException e) {
                throw new IOException("module " + name + " does not match the checkpoint: " + e.getMessage(), e);
            }
            // DJL's Parameter.load does not mark arrays as requiring gradients again
            m.getValue().getParameters().values().stream().filter(Parameter::requiresGradient)
                    .forEach(p -> p.getArray().setRequiresGradient(true));
        }
        int k = in.readInt();
        if (k != state.size()) {
            throw new IOException("the checkpoint holds " + k + " state arrays of this term, the method has "
                    + state.size() + " (" + state.keySet() + ")");
        }
        for (int i = 0; i < k; i++) {
            String name = in.readUTF();
            if (!state.containsKey(name)) {
                throw new IOException("the checkpoint holds state " + name + " where the method has " + state.keySet());
            }
            NDArray old = state(name);
            int length = in.readInt();
            if (length != old.encode().length) {
                throw new IOException("state " + name + " claims " + length + " bytes in the checkpoint, the method's "
                        + "takes " + old.encode().length + ": the checkpoint is damaged or from another method");
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            NDArray loaded = NDArray.decode(manager, bytes);
            if (!loaded.getShape().equals(old.getShape())) {
                throw new IOException("state " + name + " has shape " + loaded.getShape() + " in the checkpoint, "
                        + old.getShape() + " in the method");
            }
            setState(name, loaded);
        }
    }
}
