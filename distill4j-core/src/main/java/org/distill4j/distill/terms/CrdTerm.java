package org.distill4j.distill.terms;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.distill4j.config.ConfigException;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.loss.Crd;

/**
 * Contrastive representation distillation (Tian et al., ICLR 2020), as RepDistiller runs it. Both pooled embeddings
 * go through trainable linear heads to {@code dim} and are L2-normalised. Each network's embedding is an anchor against
 * the other network's memory of every training sample's embedding: its own sample (the positive, by dataset index)
 * and {@code negatives} samples drawn from other classes only. The normalisers Z are set from the first batch; after
 * each step the batch's rows of both memories move halfway to the new embeddings ({@code momentum}) and are
 * renormalised. The memories, the normalisers and the heads are checkpointed; the negatives of a step are drawn from
 * a generator seeded by the run's seed, epoch and batch, so a resumed run draws the same. Value "crd".
 */
public final class CrdTerm implements Term {
    /**
     * @param dim       embedding width (128)
     * @param negatives K, negatives per sample (16384; drawn with replacement when a class has fewer others)
     * @param tau       softmax temperature (0.07)
     * @param momentum  memory update momentum (0.5)
     */
    public record Config(int dim, int negatives, double tau, double momentum) {
        public Config {
            ConfigException.require(dim >= 1 && dim <= 65536, "crd.dim", dim, "1..65536");
            ConfigException.require(negatives >= 1 && negatives <= 1 << 20, "crd.negatives", negatives, "1..1048576");
            ConfigException.require(tau > 0 && Double.isFinite(tau), "crd.tau", tau, "> 0");
            ConfigException.require(momentum >= 0 && momentum < 1, "crd.momentum", momentum, "[0, 1)");
        }
    }

    public static final Config DEFAULTS = new Config(128, 16384, 0.07, 0.5);

    private final Config config;
    private final PairShapes pair;
    private Parts parts = Parts.NONE;
    private int[][] negativesByClass;
    private int[] labels;
    private long seed;

    public CrdTerm(Config config, PairShapes pair) {
        this.config = config;
        this.pair = pair;
    }

    @Override
    public List<String> names() {
        return List.of("crd");
    }

    @Override
    public Set<Signal> teacherSignals() {
        return Set.of(new Signal.Pooled());
    }

    @Override
    public Set<Read> studentReads() {
        return Set.of(Read.POOLED, Read.INDICES, Read.NEGATIVES);
    }

    @Override
    public boolean readsIndices() {
        return true;
    }

    @Override
    public Parts createParts(Parts.Context context) {
        labels = context.trainLabels().clone();
        seed = context.seed();
        negativesByClass = negativesByClass(labels, context.numClasses());
        int n = labels.length;
        NDManager m = context.manager();
        long ds = pair.student().pooled();
        long dt = pair.teacher().pooled();
        float bound = (float) (1 / Math.sqrt(config.dim() / 3.0)); // RepDistiller's stdv: never zero, see its memory.py
        parts = Parts.builder(m)
                .module("embedStudent", Terms.linear(config.dim(), ds), new Shape(1, ds))
                .module("embedTeacher", Terms.linear(config.dim(), dt), new Shape(1, dt))
                .state("memoryStudent", m.randomUniform(-bound, bound, new Shape(n, config.dim())))
                .state("memoryTeacher", m.randomUniform(-bound, bound, new Shape(n, config.dim())))
                .state("normalizers", m.create(new float[] {-1, -1})) // Z_s, Z_t; negative: not set yet
                .build();
        return parts;
    }

    /** For each class, the dataset indices of every record of another class. */
    static int[][] negativesByClass(int[] labels, int classes) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) {
            int[] others = new int[labels.length - byClass.get(c).size()];
            int k = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != c) {
                    others[k++] = i;
                }
            }
            out[c] = others;
        }
        return out;
    }

    /**
     * The (B, K+1) contrast indices of a batch: each sample's own index, then K records of other classes, uniform
     * (with replacement only when a class has fewer than K others, as RepDistiller's sampler).
     */
    static long[] contrastIndices(int[] indices, int[] labels, int[][] negativesByClass, int k, SplittableRandom rng) {
        long[] idx = new long[indices.length * (k + 1)];
        for (int b = 0; b < indices.length; b++) {
            int[] pool = negativesByClass[labels[indices[b]]];
            if (pool.length == 0) {
                throw new IllegalArgumentException("CRD needs records of at least two classes; every training record "
                        + "has class " + labels[indices[b]]);
            }
            int row = b * (k + 1);
            idx[row] = indices[b];
            if (k > pool.length) {
                for (int j = 0; j < k; j++) {
                    idx[row + 1 + j] = pool[rng.nextInt(pool.length)];
                }
            } else { // a partial Fisher-Yates shuffle of a copy: k distinct records
                int[] copy = pool.clone();
                for (int j = 0; j < k; j++) {
                    int swap = j + rng.nextInt(copy.length - j);
                    int t = copy[swap];
                    copy[swap] = copy[j];
                    copy[j] = t;
                    idx[row + 1 + j] = t;
                }
            }
        }
        return idx;
    }

    @Override
    public Map<String, NDArray> loss(TermInput in) {
        if (in.indices() == null) {
            throw new IllegalArgumentException("CRD needs each sample's dataset index (it keeps a memory per record)");
        }
        int[] indices = in.indices();
        NDManager m = in.student().logits().getManager();
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + in.epoch() * 100_003L + in.batch());
        long[] flat = contrastIndices(indices, labels, negativesByClass, config.negatives(), rng);
        NDArray idx = m.create(flat, new Shape(indices.length, config.negatives() + 1));
        NDArray vs = parts.forward("embedStudent", in.student().pooled(), true).normalize(2, 1, 0); // (B, d)
        NDArray vt = parts.forward("embedTeacher", in.teacher().get(new Signal.Pooled()), true).normalize(2, 1, 0);
        return Map.of("crd", contrast(vs, vt, idx, indices, m));
    }

    /**
     * Both anchors' NCE losses, then the memory update. Split from {@link #loss} so the reference test can feed
     * the reference's own contrast indices.
     */
    NDArray contrast(NDArray vs, NDArray vt, NDArray idx, int[] indices, NDManager m) {
        long n = labels.length;
        NDArray memoryS = parts.state("memoryStudent");
        NDArray memoryT = parts.state("memoryTeacher");
        NDArray outS = Crd.scores(memoryT, idx, vs, config.tau()); // the student anchor against the teacher's memory
        NDArray outT = Crd.scores(memoryS, idx, vt, config.tau()); // the teacher anchor against the student's memory
        float[] z = parts.state("normalizers").toFloatArray();
        if (z[0] < 0 || z[1] < 0) { // set once, from the first batch (RepDistiller #5)
            z = new float[] {outS.mean().getFloat() * n, outT.mean().getFloat() * n};
            parts.setState("normalizers", m.create(z));
        }
        NDArray loss = Crd.nce(outS.div(Scalars.of(z[0])), n).add(Crd.nce(outT.div(Scalars.of(z[1])), n));
        NDArray rows = m.create(indices).toType(ai.djl.ndarray.types.DataType.INT64, false);
        update(memoryS, rows, vs.stopGradient());
        update(memoryT, rows, vt.stopGradient());
        return loss;
    }

    /** M[i] <- normalise(momentum * M[i] + (1 - momentum) * v) for the batch's rows, in place. */
    private void update(NDArray memory, NDArray rows, NDArray v) {
        NDIndex at = new NDIndex("{}", rows);
        NDArray mixed = memory.get(at).mul(Scalars.of((float) config.momentum())).add(v.mul(Scalars.of((float) (1 - config.momentum()))));
        memory.set(at, mixed.normalize(2, 1, 0));
    }

    @Override
    public String describe() {
        return "CRD(embed " + config.dim() + ", K=" + config.negatives() + ", tau=" + Terms.num(config.tau())
                + ", momentum " + Terms.num(config.momentum()) + ")";
    }
}
