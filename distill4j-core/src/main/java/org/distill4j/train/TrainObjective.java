package org.distill4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.data.ViewSchedule;
import org.distill4j.loss.CrossEntropy;
import org.distill4j.loss.LossTerms;
import org.distill4j.model.Features;

/**
 * What a training step minimises. A step has two phases: {@link #prepare} runs before the student's
 * gradient collector opens (a frozen teacher's forward, Integrated Gradients, which needs a collector of
 * its own: only one may be open at a time), and the returned {@link StudentLoss} turns the student's
 * outputs into named loss terms inside the collector. The trainer sums and logs the terms and knows
 * nothing else about the method; what the objective owns ({@link #bind}) it trains, checkpoints and restores.
 */
public interface TrainObjective {

    /** The names of the terms the step returns, in order (history.csv gets one column each). */
    List<String> termNames();

    /**
     * What the objective knows of the run when it creates its parts.
     *
     * @param manager     owns the parts' arrays for the whole run
     * @param trainLabels each training record's class, by dataset index
     * @param numClasses  K
     * @param seed        the run's seed
     */
    record Context(NDManager manager, int[] trainLabels, int numClasses, long seed) {}

    /**
     * Where a step is: the training records of the batch and their views, and the step's place in training.
     *
     * @param indices (B,) the training records in the batch, or null outside a data set (benchmarks)
     * @param views   (B,) the view of each record (see {@link #views()}), or null when augmented per batch
     * @param epoch   1-based epoch (0 outside an epoch)
     * @param batch   0-based batch within the epoch
     */
    record Step(int[] indices, int[] views, int epoch, int batch) {
        /** A step outside any epoch, on records of unknown index. */
        public static final Step NONE = new Step(null, null, 0, 0);
    }

    /**
     * Creates what the objective owns (a method's trainable heads and state), once, before the optimizer is built
     * and before a checkpoint is restored into them. Owns nothing by default.
     */
    default ObjectiveParts bind(Context context) {
        return ObjectiveParts.NONE;
    }

    /**
     * Work that must happen outside the student's gradient collector.
     *
     * @param images (B, C, H, W) the normalised input batch
     * @param labels (B,) true classes
     * @param step   which records, which views, which epoch and batch
     */
    StudentLoss prepare(NDArray images, NDArray labels, Step step);

    /**
     * The view schedule the batches must follow (a teacher bank holds outputs for those views only), or null:
     * augmentation drawn per batch.
     */
    default ViewSchedule views() {
        return null;
    }

    /** A short description of the method, written to metrics.json as {@code method}. */
    String method();

    /** Where the teacher's outputs come from ("online", "bank FILE", "online: why"), or null without a teacher. */
    default String teacherSource() {
        return null;
    }

    /** The loss of one step as a function of the student's outputs, logits (B, K) and stages. */
    @FunctionalInterface
    interface StudentLoss {
        LossTerms apply(Features student);
    }

    /**
     * How many networks the objective trains together: 1, or K &gt;= 2 for mutual learning, whose loss is
     * {@link #peerLosses} rather than {@link #prepare}.
     */
    default int peers() {
        return 1;
    }

    /**
     * Mutual learning's loss: every peer's named terms, from every peer's outputs (peers() &gt;= 2).
     *
     * @param outputs one per peer, in order
     * @param labels  (B,) true classes
     */
    default List<LossTerms> peerLosses(List<Features> outputs, NDArray labels) {
        throw new UnsupportedOperationException(method() + " trains one network");
    }

    /** How a training config trains from labels: alone, or with its peers by mutual learning. */
    static TrainObjective forTraining(org.distill4j.config.TrainConfig config) {
        return config.peers() > 1 ? mutual(config.peers()) : hardLabels();
    }

    /**
     * Deep mutual learning of {@code peers} networks: each one's cross-entropy with the labels ("ce") and the mean
     * KL divergence from the others' predictions at temperature 1 ("mutual"), weight 1 each, as Zhang et al. 2018.
     */
    static TrainObjective mutual(int peers) {
        if (peers < 2) {
            throw new IllegalArgumentException("mutual learning needs at least 2 peers, got " + peers);
        }
        return new TrainObjective() {
            @Override
            public List<String> termNames() {
                return List.of("ce", "mutual");
            }

            @Override
            public int peers() {
                return peers;
            }

            @Override
            public StudentLoss prepare(NDArray images, NDArray labels, Step step) {
                throw new UnsupportedOperationException("mutual learning's loss is peerLosses, over every peer");
            }

            @Override
            public List<LossTerms> peerLosses(List<Features> outputs, NDArray labels) {
                List<NDArray> logits = outputs.stream().map(Features::logits).toList();
                List<NDArray> mimicry = org.distill4j.loss.MutualLearning.mimicry(logits, 1.0);
                List<LossTerms> out = new java.util.ArrayList<>();
                for (int i = 0; i < outputs.size(); i++) {
                    Map<String, NDArray> terms = new LinkedHashMap<>();
                    terms.put("ce", CrossEntropy.loss(logits.get(i), labels));
                    terms.put("mutual", mimicry.get(i));
                    out.add(new LossTerms(terms));
                }
                return out;
            }

            @Override
            public String method() {
                return "dml (" + peers + " peers)";
            }
        };
    }

    /** Training from the labels alone: cross-entropy. */
    static TrainObjective hardLabels() {
        return new TrainObjective() {
            @Override
            public List<String> termNames() {
                return List.of("ce");
            }

            @Override
            public StudentLoss prepare(NDArray images, NDArray labels, Step step) {
                return student -> LossTerms.of("ce", CrossEntropy.loss(student.logits(), labels));
            }

            @Override
            public String method() {
                return "student-only";
            }
        };
    }
}
