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
 * <p>Two forms of the update. DJL's (the default; one fused native call per parameter, libtorch under no-grad):
 * v = mu * v + lr * (g + wd * w); w = w - v. At constant lr this is PyTorch's SGD; when lr changes, the lr
 * already inside v decays with the momentum (Sutskever et al. 2013's form). PyTorch's (with Nesterov momentum, or
 * when the momentum changes from step to step, as under a one-cycle schedule): d = g + wd * w; v = mu * v + d;
 * w = w - lr * (nesterov ? d + mu * v : v). Gradients are zeroed after either.
 */
public final class SgdMomentum implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> velocity = new ArrayList<>();
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final boolean torchForm;

    /** DJL's form with constant momentum. */
    public SgdMomentum(List<Parameter> trainable, double momentum, double weightDecay, NDManager manager) {
        this(trainable, momentum, weightDecay, false, false, manager);
    }

    /**
     * @param nesterov  Nesterov momentum (implies PyTorch's form)
     * @param torchForm PyTorch's form of the update, lr outside the velocity (needed when momentum varies)
     */
    public SgdMomentum(List<Parameter> trainable, double momentum, double weightDecay, boolean nesterov,
            boolean torchForm, NDManager manager) {
        this.parameters = List.copyOf(trainable);
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        this.torchForm = torchForm || nesterov;
        for (Parameter p : parameters) {
            NDArray v = manager.zeros(p.getArray().getShape(), p.getArray().getDataType(), p.getArray().getDevice());
            velocity.add(v);
        }
    }

    /** Applies one update with learning rate lr to every parameter, using the gradients of the last backward. */
    public void step(float lr) {
        step(lr, momentum);
    }

    /** As {@link #step(float)} with this step's momentum mu (PyTorch's form only: DJL's has lr inside v). */
    public void step(float lr, float mu) {
        if (torchForm) {
            torchStep(lr, mu);
            return;
        }
        if (mu != momentum) {
            throw new IllegalStateException("momentum " + mu + " differs from this optimizer's " + momentum
                    + ": a changing momentum needs PyTorch's form of the update");
        }
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().sgdUpdate(new NDList(w, g, velocity.get(i)), new NDList(w),
                        lr, weightDecay, 1f, -1f, momentum, false);
            }
        }
    }

    // Outside a gradient collector DJL's PyTorch engine runs with grad mode off, so these in-place updates of
    // leaf tensors are allowed, as under torch.no_grad().
    private void torchStep(float lr, float mu) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            NDArray v = velocity.get(i);
            try (NDArray g = w.getGradient()) {
                NDArray d;
                if (weightDecay == 0) {
                    d = g.duplicate();
                } else {
                    try (NDArray decay = w.mul(weightDecay)) {
                        d = g.add(decay);
                    }
                }
                try (d) {
                    v.muli(mu).addi(d);
                    if (nesterov) {
                        try (NDArray ahead = v.mul(mu)) {
                            w.subi(d.addi(ahead).muli(lr));
                        }
                    } else {
                        try (NDArray step = v.mul(lr)) {
                            w.subi(step);
                        }
                    }
                }
                g.subi(g); // zero (x - x is +0, where 0 * x keeps the sign)
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
