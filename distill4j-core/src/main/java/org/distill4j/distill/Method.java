package org.distill4j.distill;

import org.distill4j.loss.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.distill4j.config.MethodConfig;
import org.distill4j.loss.LossTerms;
import org.distill4j.train.ObjectiveParts;

/**
 * A method bound to a teacher-student pair: L = sum_i w_i * L_i over its terms. Each term's values are multiplied
 * by its weight and logged under their own names (a name two terms share gets the later term's kind as prefix), so
 * history.csv shows what every term contributed. Terms of weight 0 are left out, and so is their teacher work.
 */
public final class Method {
    private final MethodConfig config;
    private final List<Term> terms = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private final List<String> kinds = new ArrayList<>();
    private final List<Map<String, String>> logged = new ArrayList<>(); // per term: its value name -> logged name
    private List<Parts> parts = null;

    Method(MethodConfig config, List<Term> built) {
        this.config = config;
        Set<String> used = new HashSet<>();
        for (int i = 0; i < built.size(); i++) {
            double w = config.terms().get(i).weight();
            if (w == 0) {
                continue;
            }
            Term t = built.get(i);
            String kind = config.terms().get(i).term();
            Map<String, String> names = new LinkedHashMap<>();
            for (String n : t.names()) {
                String name = used.contains(n) ? kind + "." + n : n;
                used.add(name);
                names.put(n, name);
            }
            terms.add(t);
            weights.add(w);
            kinds.add(kind);
            logged.add(names);
        }
    }

    public MethodConfig config() {
        return config;
    }

    /** The terms with weight &gt; 0, in order. */
    public List<Term> terms() {
        return List.copyOf(terms);
    }

    /** Names of the logged values, in order. */
    public List<String> termNames() {
        List<String> names = new ArrayList<>();
        logged.forEach(m -> names.addAll(m.values()));
        return names;
    }

    /** The union of what the terms read of the teacher. */
    public Set<Signal> teacherSignals() {
        Set<Signal> all = new TreeSet<>();
        terms.forEach(t -> all.addAll(t.teacherSignals()));
        return all;
    }

    /** True if no term reads the teacher: the student learns from labels alone. */
    public boolean labelsOnly() {
        return teacherSignals().isEmpty();
    }

    /** Whether a term reads dataset indices. */
    public boolean readsIndices() {
        return terms.stream().anyMatch(Term::readsIndices);
    }

    /** Creates every term's parts (once); the returned handle trains, saves and restores them all. */
    public ObjectiveParts createParts(Parts.Context context) {
        if (parts == null) {
            parts = new ArrayList<>();
            terms.forEach(t -> parts.add(t.createParts(context)));
        }
        return new AllParts();
    }

    /** Each term's parts, in the order of {@link #terms}, once {@link #createParts} has run. */
    public List<Parts> parts() {
        if (parts == null) {
            throw new IllegalStateException("the method's parts have not been created (createParts)");
        }
        return List.copyOf(parts);
    }

    /** The weighted values of one step; {@link #createParts} must have run if any term owns parts. */
    public LossTerms loss(TermInput in) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < terms.size(); i++) {
            double w = weights.get(i);
            Map<String, NDArray> values = terms.get(i).loss(in);
            for (Map.Entry<String, String> name : logged.get(i).entrySet()) {
                NDArray v = values.get(name.getKey());
                if (v == null) {
                    throw new IllegalStateException("term " + kinds.get(i) + " returned " + values.keySet()
                            + " but declared " + terms.get(i).names());
                }
                out.put(name.getValue(), w == 1 ? v : v.mul(Scalars.of((float) w)));
            }
        }
        return new LossTerms(out);
    }

    /** "seed: 0.1*CE + 0.9*KD(T=4) + ...", for metrics.json and tables. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            parts.add(Methods.num(weights.get(i)) + "*" + terms.get(i).describe());
        }
        return config.name() + ": " + String.join(" + ", parts);
    }

    /** The parts of every term as one {@link ObjectiveParts}, saved term by term under the terms' kinds. */
    private final class AllParts implements ObjectiveParts {
        @Override
        public List<Parameter> trainable() {
            List<Parameter> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.trainable()));
            return all;
        }

        @Override
        public long parameterCount() {
            return parts.stream().mapToLong(Parts::parameterCount).sum();
        }

        @Override
        public void save(DataOutputStream out) throws IOException {
            out.writeInt(owning());
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i) != Parts.NONE) {
                    out.writeUTF(kinds.get(i));
                    parts.get(i).save(out);
                }
            }
        }

        @Override
        public void load(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n != owning()) {
                throw new IOException("the checkpoint holds the parts of " + n + " terms, method " + config.name()
                        + " has " + owning() + " terms with parts: it belongs to another method");
            }
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i) != Parts.NONE) {
                    String kind = in.readUTF();
                    if (!kind.equals(kinds.get(i))) {
                        throw new IOException("the checkpoint holds the parts of term " + kind + " where method "
                                + config.name() + " has " + kinds.get(i));
                    }
                    parts.get(i).load(in);
                }
            }
        }

        private int owning() {
            return (int) parts.stream().filter(p -> p != Parts.NONE).count();
        }
    }
}
