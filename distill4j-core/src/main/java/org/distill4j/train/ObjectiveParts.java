package org.distill4j.train;

import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * What a training objective owns beside the student: parameters the same optimizer trains (a method's regressors,
 * embedding heads, attention heads) and state it keeps (a contrastive memory). The loop trains, checkpoints and
 * restores them with the student, counts them apart from it, and never exports them.
 */
public interface ObjectiveParts {
    /** Owns nothing. */
    ObjectiveParts NONE = new ObjectiveParts() {
        @Override
        public List<Parameter> trainable() {
            return List.of();
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public void save(DataOutputStream out) throws IOException {
            out.writeInt(0);
        }

        @Override
        public void load(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n != 0) {
                throw new IOException("the checkpoint holds the parts of " + n + " method terms; this run's method "
                        + "owns none: it belongs to another method");
            }
        }
    };

    /** Parameters the optimizer updates with the student's. */
    List<Parameter> trainable();

    /** Learnable scalars (metrics.json's methodParams). */
    long parameterCount();

    void save(DataOutputStream out) throws IOException;

    void load(DataInputStream in) throws IOException;
}
