package org.distill4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Constants as 0-d arrays whose memory libtorch owns, for arithmetic inside a gradient step.
 *
 * <p>Why: on the CPU, DJL 0.36's {@code x.mul(0.5f)} wraps the 0.5 in a tensor over a Java direct buffer and closes
 * it at once, but autograd keeps that tensor for the backward pass ({@code mul}, {@code div}, {@code pow} and
 * {@code maximum} need their other operand for the gradient). If the garbage collector frees the buffer between the
 * forward and the backward pass, the gradient is computed with whatever the memory then holds: forcing a collection
 * there turned d(2x)/dx into -1.5e31. {@code x.mul(Scalars.of(0.5f))} uses a constant created by libtorch
 * ({@code full}) and kept here, so its memory cannot go away. The values are identical: both are 0-d float32.
 */
public final class Scalars {
    /** Distinct constants kept; beyond it the oldest handles are dropped (libtorch's reference counts keep the
     *  memory while a graph still uses it: only Java-owned buffers are the problem). */
    private static final int KEEP = 4096;
    private static final Map<Integer, NDArray> CACHE = new ConcurrentHashMap<>();
    private static final NDManager MANAGER = NDManager.newBaseManager(ai.djl.Device.cpu());

    private Scalars() {}

    /** {@code v} as a 0-d float32 array owned by libtorch (a CPU scalar, which libtorch accepts beside any device). */
    public static NDArray of(float v) {
        NDArray a = CACHE.get(Float.floatToIntBits(v));
        if (a != null) {
            return a;
        }
        if (CACHE.size() >= KEEP) {
            CACHE.clear(); // handles only: tensors still in a graph keep their memory
        }
        return CACHE.computeIfAbsent(Float.floatToIntBits(v),
                k -> MANAGER.full(new Shape(), v, DataType.FLOAT32, ai.djl.Device.cpu()));
    }
}
