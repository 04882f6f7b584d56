package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Locale;
import org.distill4j.config.ConfigException;
import org.distill4j.model.Features;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;

/**
 * The shapes of what a teacher and a student return for one image, which terms read to build their parts (a
 * regressor from the student's stage to the teacher's) and to check that the stages they name exist in both.
 *
 * @param student the student's shapes
 * @param teacher the teacher's shapes
 */
public record PairShapes(Net student, Net teacher) {

    /**
     * One network's shapes, per image (batch left out).
     *
     * @param model   its name, for messages
     * @param classes K
     * @param stages  (C, H, W) of each stage's output, shallow first
     * @param preacts (C, H, W) of each stage before its activation
     * @param pooled  d, the pooled embedding's width, or -1 when the network does not give it (a TorchScript
     *                teacher)
     * @param blocks  (C, H, W) of each residual block's output; empty when the network does not give them
     */
    public record Net(String model, int classes, List<Shape> stages, List<Shape> preacts, long pooled,
            List<Shape> blocks) {

        public Net {
            stages = List.copyOf(stages);
            preacts = List.copyOf(preacts);
            blocks = List.copyOf(blocks);
        }

        /** The shapes of {@code f}, a batch's features, without the batch axis. */
        public static Net of(String model, Features f) {
            return new Net(model, (int) f.logits().getShape().get(1), f.stages().stream().map(Net::perImage).toList(),
                    f.preacts().stream().map(Net::perImage).toList(),
                    f.pooled() == null ? -1 : f.pooled().getShape().get(1),
                    f.blocks().stream().map(Net::perImage).toList());
        }

        /**
         * d, the pooled embedding's width.
         *
         * @throws ConfigException naming the network when it does not give one
         */
        @Override
        public long pooled() {
            if (pooled < 0) {
                throw new ConfigException("teacher " + model + " gives no pooled embedding (a TorchScript teacher gives its "
                        + "logits and stage outputs), which this method reads; choose one that reads logits, stages, "
                        + "attention maps or causal masks");
            }
            return pooled;
        }

        /**
         * (C, H, W) of each residual block's output.
         *
         * @throws ConfigException naming the network when it does not give them
         */
        @Override
        public List<Shape> blocks() {
            if (blocks.isEmpty()) {
                throw new ConfigException("teacher " + model + " gives no residual block outputs (a TorchScript teacher gives "
                        + "its logits and stage outputs), which this method reads; choose one that reads logits, "
                        + "stages, attention maps or causal masks");
            }
            return blocks;
        }

        /** Runs a network once on zeros to read its shapes. */
        public static Net probe(Network network, NDManager manager, int height, int width) {
            try (NDManager scratch = manager.newSubManager()) {
                NDArray x = scratch.zeros(new Shape(2, network.spec().inChannels(), height, width));
                return of(network.spec().name(), network.features(new ParameterStore(scratch, false), x, false));
            }
        }

        private static Shape perImage(NDArray a) {
            return a.getShape().slice(1);
        }

        public int stageCount() {
            return stages.size();
        }

        /** (C, H, W) of stage s, 1-based. */
        public Shape stage(int s) {
            return stages.get(s - 1);
        }

        public long channels(int s) {
            return stage(s).get(0);
        }

        public long height(int s) {
            return stage(s).get(1);
        }

        public long width(int s) {
            return stage(s).get(2);
        }
    }

    /** Builds both networks of a pair, uninitialised weights and all, to read their shapes. */
    public static PairShapes probe(ModelSpec student, ModelSpec teacher, int height, int width, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            Network s = Models.createInitialized(student, scratch, height, width);
            Network t = Models.createInitialized(teacher, scratch, height, width);
            return new PairShapes(Net.probe(s, scratch, height, width), Net.probe(t, scratch, height, width));
        }
    }

    /** Stages both networks have. */
    public int commonStages() {
        return Math.min(student.stageCount(), teacher.stageCount());
    }

    /**
     * Fails unless every stage in {@code stages} exists in both networks.
     *
     * @param key the option that named them, for the message
     */
    public void requireStages(String term, String key, List<Integer> stages) {
        for (int s : stages) {
            ConfigException.require(s >= 1 && s <= commonStages(), term + "." + key, stages, "stages 1.."
                    + commonStages() + ": " + describe() + " (override " + key + ", e.g. " + upTo(commonStages()) + ")");
        }
    }

    /** Fails unless the teacher has stage {@code s}. */
    public void requireTeacherStage(String term, String key, int s) {
        ConfigException.require(s >= 1 && s <= teacher.stageCount(), term + "." + key, s,
                "1.." + teacher.stageCount() + ": " + describe());
    }

    /** "teacher resnet50-cbam has 4 stages and student wrn-16-2 has 3". */
    public String describe() {
        return String.format(Locale.ROOT, "teacher %s has %d stages and student %s has %d", teacher.model(),
                teacher.stageCount(), student.model(), student.stageCount());
    }

    static List<Integer> upTo(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n).boxed().toList();
    }
}
