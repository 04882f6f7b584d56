package org.distill4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay, with its momentum buffers held here so that a checkpoint can save
 * them (DJL's own Sgd keeps them private, which would make --resume diverge from an uninterrupted run).
 *
 * <p>Update (one fused native call per parameter, libtorch under no-grad): v = mu * v + lr * (g + wd * w);
 * w = w - v. At constant lr this is PyTorch's SGD; when lr changes, the lr already inside v decays with
 * the momentum (Sutskever et al. 2013's form). Gradients are zeroed by the same call.
 */
public final class SgdMomentum implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> velocity = new ArrayList<>();
    private final float momentum;
    private final float weightDecay;

    public SgdMomentum(List<Parameter> trainable, double momentum, double weightDecay, NDManager manager) {
        this.parameters = List.copyOf(trainable);
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        for (Parameter p : parameters) {
            NDArray v = manager.zeros(p.getArray().getShape(), p.getArray().getDataType(), p.getArray().getDevice());
            velocity.add(v);
        }
    }

    /** Applies one update with learning rate lr to every parameter, using the gradients of the last backward. */
    public void step(float lr) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().sgdUpdate(new NDList(w, g, velocity.get(i)), new NDList(w),
                        lr, weightDecay, 1f, -1f, momentum, false);
            }
        }
    }

    public void save(DataOutputStream out) throws IOException {
        out.writeInt(velocity.size());
        for (NDArray v : velocity) {
            byte[] bytes = v.encode();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    public void load(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != velocity.size()) {
            throw new IOException("optimizer state has " + n + " buffers, the model has " + velocity.size()
                    + " trainable parameters: the checkpoint belongs to a different model");
        }
        for (int i = 0; i < n; i++) {
            NDArray old = velocity.get(i);
            int length = in.readInt();
            int expected = old.encode().length; // the same shape encodes to the same length
            if (length != expected) {
                throw new IOException("optimizer buffer " + i + " claims " + length + " bytes where this model's takes "
                        + expected + ": the checkpoint is damaged or belongs to a different model");
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            NDArray loaded = NDArray.decode(old.getManager(), bytes);
            if (!loaded.getShape().equals(old.getShape())) {
                throw new IOException("optimizer buffer " + i + " has shape " + loaded.getShape() + ", expected "
                        + old.getShape());
            }
            velocity.set(i, loaded);
            old.close();
        }
    }

    @Override
    public void close() {
        velocity.forEach(NDArray::close);
    }
}
