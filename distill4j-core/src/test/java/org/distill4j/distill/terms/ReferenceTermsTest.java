package org.distill4j.distill.terms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.distill4j.distill.Methods;
import org.distill4j.distill.PairShapes;
import org.distill4j.distill.Parts;
import org.distill4j.distill.Signal;
import org.distill4j.distill.TeacherOutputs;
import org.distill4j.distill.Term;
import org.distill4j.distill.TermInput;
import org.distill4j.model.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss term against its reference formula, recomputed in PyTorch (float64) on fixed inputs by
 * {@code scripts/reference_terms.py} into {@code reference-terms.json}: RepDistiller for KD, AT, FitNets, SP, CC, VID,
 * RKD, PKT, CRD and NST, mdistiller for DKD, the H-AT and AFD authors' code for hat and afd, and distill4j's own
 * definitions where there is no reference (the seed's causal mask and alignment, the HMAT-style term). Each case
 * builds its term as training does (a method config through {@link Methods}, bound to the shapes of the case's
 * fake features), loads the reference module weights into the term's parts, and compares every value the term
 * returns and the gradient of their sum with respect to every student input the reference differentiates.
 *
 * The gradients of the term's own trainable parameters (regressors, embedding heads, attention heads, variances)
 * and the state a step leaves (CRD's updated memories and normalisers, H-AT's chosen channels) are compared too.
 *
 * <p>Tolerances: a value within {@value #TOLERANCE} of the reference relative to its magnitude; a gradient (or an
 * updated memory) within {@value #TOLERANCE} relative to its largest absolute entry, i.e.
 * max_i |g_i - r_i| / max_i |r_i|, so entries near zero are not held to a relative bound their float32 rounding
 * cannot meet. The Java terms compute in float32; the inputs are float32 numbers on both sides. Each case prints
 * the errors it reached ("reference-terms NAME value ..., gradient ...").
 */
class ReferenceTermsTest {
    static final double TOLERANCE = 1e-5;

    private static JsonNode reference;

    static synchronized JsonNode reference() throws IOException {
        if (reference == null) {
            try (InputStream in = ReferenceTermsTest.class.getResourceAsStream("/reference-terms.json")) {
                assertNotNull(in, "reference-terms.json is missing: run scripts/reference_terms.py");
                reference = new ObjectMapper().readTree(in);
            }
        }
        return reference;
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        reference().get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    /** Each registered term kind is pinned by at least one case, and every case names a registered kind. */
    @Test
    void everyTermKindHasAReferenceCase() throws IOException {
        Set<String> kinds = new TreeSet<>();
        Methods.kinds().forEach(k -> kinds.add(k.name()));
        Set<String> pinned = new TreeSet<>();
        reference().get("cases").forEach(c -> pinned.add(c.get("term").asText()));
        assertEquals(kinds, pinned);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(String name, JsonNode c) {
        Engine.getInstance().setRandomSeed(11); // the parts' own initialisation is overwritten where it matters
        try (NDManager manager = NDManager.newBaseManager()) {
            String kind = c.get("term").asText();
            Features student = features(c.get("student"), manager);
            Features teacher = features(c.get("teacher"), manager);
            PairShapes pair = new PairShapes(PairShapes.Net.of("student", student),
                    PairShapes.Net.of("teacher", teacher));
            Term term = build(kind, c.get("options"), pair);

            int batch = (int) student.logits().getShape().get(0);
            int[] trainLabels = c.has("trainLabels") ? ints(c.get("trainLabels")) : range(batch);
            int classes = c.has("numClasses") ? c.get("numClasses").asInt() : (int) student.logits().getShape().get(1);
            Parts parts = term.createParts(new Parts.Context(manager, trainLabels, classes, 3));
            Map<String, String> torchNames = loadParameters(name, kind, parts, c.get("parameters"));
            if (c.has("state")) {
                c.get("state").fields().forEachRemaining(e -> parts.setState(e.getKey(), array(e.getValue(), manager)));
            }
            NDArray labels = c.has("labels") ? manager.create(longs(c.get("labels")))
                    : manager.zeros(new Shape(batch), DataType.INT64);
            int[] indices = c.has("indices") ? ints(c.get("indices")) : null;
            TermInput input = new TermInput(student, teacherOutputs(term, teacher, c, manager), labels, indices,
                    c.path("epoch").asInt(1), 0);

            Map<String, NDArray> inputs = studentInputs(student);
            inputs.values().forEach(a -> a.setRequiresGradient(true));
            Map<String, Float> values = new LinkedHashMap<>();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                Map<String, NDArray> out = kind.equals("crd") ? crd((CrdTerm) term, parts, input, c, manager)
                        : term.loss(input);
                assertEquals(term.names(), List.copyOf(out.keySet()), name + ": value names");
                NDArray total = null;
                for (Map.Entry<String, NDArray> e : out.entrySet()) {
                    values.put(e.getKey(), e.getValue().getFloat());
                    total = total == null ? e.getValue() : total.add(e.getValue());
                }
                collector.backward(total);
            }

            String report = String.format(Locale.ROOT, "%-20s value %.1e, gradient %.1e (%d inputs)", name,
                    compareValues(name, c.get("expected"), values), compareInputGradients(name, c, inputs),
                    c.get("gradients").size());
            if (!parts.trainable().isEmpty()) {
                report += String.format(Locale.ROOT, ", parameter gradient %.1e (%d)",
                        compareParameterGradients(name, c, parts, torchNames), parts.trainable().size());
            }
            if (c.has("after")) {
                report += String.format(Locale.ROOT, ", state %.1e", compareState(name, c.get("after"), parts));
            }
            System.out.println("reference-terms " + report); // the errors achieved, for the record
        }
    }

    /** Every value relative to the reference's, which must not be 0; returns the largest relative error. */
    static double compareValues(String name, JsonNode expected, Map<String, Float> values) {
        assertEquals(names(expected), values.keySet(), name + ": the reference's values");
        double worst = 0;
        for (Map.Entry<String, Float> e : values.entrySet()) {
            double want = expected.get(e.getKey()).asDouble();
            assertTrue(Math.abs(want) > 1e-9, name + " " + e.getKey() + ": a reference value of 0 pins nothing");
            double error = Math.abs(e.getValue() - want) / Math.abs(want);
            worst = Math.max(worst, error);
            assertTrue(error <= TOLERANCE, String.format(Locale.ROOT, "%s %s = %.9g, reference %.9g (relative "
                    + "error %.2e)", name, e.getKey(), e.getValue(), want, error));
        }
        return worst;
    }

    /** d(sum of values)/d(student input), for every input the reference differentiates. */
    static double compareInputGradients(String name, JsonNode c, Map<String, NDArray> inputs) {
        JsonNode gradients = c.get("gradients");
        assertTrue(gradients.size() > 0, name + ": no reference gradient");
        double worst = 0;
        for (Map.Entry<String, JsonNode> e : iterable(gradients)) {
            NDArray x = inputs.get(e.getKey());
            assertNotNull(x, name + ": no student input " + e.getKey());
            worst = Math.max(worst, assertClose(name + " d/d " + e.getKey(), e.getValue(), x.getGradient()));
        }
        return worst;
    }

    /**
     * The term's own modules train: the gradient of each trainable parameter as the reference's. A bias before a
     * BatchNorm in training mode cannot change the loss: its reference gradient is 0 up to float64 rounding, and it
     * is held to float32 rounding of the case's largest parameter gradient instead.
     */
    static double compareParameterGradients(String name, JsonNode c, Parts parts, Map<String, String> torchNames) {
        JsonNode reference = c.get("parameterGradients");
        assertNotNull(reference, name + ": the term trains parameters the case has no gradients for");
        assertEquals(parts.trainable().size(), reference.size(), name + ": trainable parameters");
        double largest = 0;
        for (JsonNode g : valuesOf(reference)) {
            largest = Math.max(largest, maxAbs(g.get("data")));
        }
        double worst = 0;
        for (Map.Entry<String, Parameter> p : parts.parameters().entrySet()) {
            if (!p.getValue().requiresGradient()) {
                continue;
            }
            String torch = torchNames.get(p.getKey());
            JsonNode want = reference.get(torch);
            assertNotNull(want, name + ": the reference has no gradient for " + torch);
            String what = name + " d/d " + p.getKey() + " (" + torch + ")";
            NDArray got = p.getValue().getArray().getGradient();
            if (maxAbs(want.get("data")) <= 1e-12 * largest) {
                double noise = maxAbs(got.toFloatArray()) / largest;
                assertTrue(noise <= TOLERANCE, what + ": should be 0, is " + noise + " of the largest");
            } else {
                worst = Math.max(worst, assertClose(what, want, got));
            }
        }
        return worst;
    }

    /** State after the step: CRD's memories (arrays) and normalisers (numbers), H-AT's chosen channels (ints). */
    static double compareState(String name, JsonNode after, Parts parts) {
        double worst = 0;
        for (Map.Entry<String, JsonNode> e : iterable(after)) {
            NDArray state = parts.state(e.getKey());
            JsonNode want = e.getValue();
            String what = name + " state " + e.getKey();
            if (want.isObject()) {
                worst = Math.max(worst, assertClose(what, want, state));
            } else if (state.getDataType().isInteger()) {
                assertArrayEquals(ints(want), state.toType(DataType.INT32, false).toIntArray(), what);
            } else {
                float[] got = state.toFloatArray();
                assertEquals(want.size(), got.length, what);
                for (int i = 0; i < got.length; i++) {
                    double r = want.get(i).asDouble();
                    double error = Math.abs(got[i] - r) / Math.abs(r);
                    worst = Math.max(worst, error);
                    assertTrue(error <= TOLERANCE, what + "[" + i + "] = " + got[i] + ", reference " + r);
                }
            }
        }
        return worst;
    }

    /** The term as a study file's explicit method list builds it: {term: KIND, weight: 1, options...}. */
    @SuppressWarnings("unchecked")
    static Term build(String kind, JsonNode options, PairShapes pair) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("term", kind);
        entry.put("weight", 1);
        entry.putAll(new ObjectMapper().convertValue(options, LinkedHashMap.class));
        List<Term> terms = Methods.bind(Methods.parse(Map.of("name", "reference", "terms", List.of(entry))), pair)
                .terms();
        assertEquals(1, terms.size());
        return terms.get(0);
    }

    /**
     * What the teacher hands the term. {@link TeacherOutputs#of} derives every signal from the features as training
     * does, except the causal mask (Integrated Gradients of a real teacher), which the case gives.
     */
    static TeacherOutputs teacherOutputs(Term term, Features teacher, JsonNode c, NDManager manager) {
        Set<Signal> derived = new TreeSet<>();
        Map<Signal, NDArray> values = new TreeMap<>();
        for (Signal s : term.teacherSignals()) {
            if (s instanceof Signal.Mask) {
                assertTrue(c.has("mask"), c.get("name").asText() + ": the term reads a mask the case lacks");
                values.put(s, array(c.get("mask"), manager));
            } else {
                derived.add(s);
            }
        }
        values.putAll(TeacherOutputs.of(teacher, derived).signals());
        return new TeacherOutputs(values);
    }

    /**
     * CRD with the case's contrast indices: the embeddings through the term's heads, then {@link CrdTerm#contrast}
     * (the part of {@link CrdTerm#loss} after it draws its negatives).
     */
    static Map<String, NDArray> crd(CrdTerm term, Parts parts, TermInput in, JsonNode c, NDManager manager) {
        JsonNode rows = c.get("idx");
        long[] flat = new long[rows.size() * rows.get(0).size()];
        int k = 0;
        for (JsonNode row : rows) {
            for (JsonNode v : row) {
                flat[k++] = v.asLong();
            }
        }
        NDArray idx = manager.create(flat, new Shape(rows.size(), rows.get(0).size()));
        NDArray vs = parts.forward("embedStudent", in.student().pooled(), true).normalize(2, 1, 0);
        NDArray vt = parts.forward("embedTeacher", in.teacher().get(new Signal.Pooled()), true).normalize(2, 1, 0);
        return Map.of("crd", term.contrast(vs, vt, idx, in.indices(), manager));
    }

    // ---- parameters: DJL names of the parts -> PyTorch state_dict names of the reference modules

    private static final Pattern SEQUENTIAL = Pattern.compile("(\\d\\d)([A-Za-z0-9]+)_(\\w+)");

    /** A DJL parameter ("regressor1.03Conv2d_weight") by the reference's state_dict name ("0.regressor.2.weight"). */
    static String pytorchName(String kind, String djl) {
        int dot = djl.indexOf('.');
        String module = djl.substring(0, dot);
        String param = djl.substring(dot + 1);
        Matcher m = SEQUENTIAL.matcher(param);
        String layerIndex = m.matches() ? String.valueOf(Integer.parseInt(m.group(1)) - 1) : null;
        String layerType = m.matches() ? m.group(2) : null;
        String leaf = torchLeaf(m.matches() ? m.group(3) : param);
        String layer = layerType == null ? null : layerType.startsWith("BatchNorm") ? "bn"
                : layerType.startsWith("Linear") ? "linear" : "conv";
        switch (kind) {
            case "fitnet": // ConvReg: conv, bn, relu
                return "regressor." + layer + "." + leaf;
            case "vid": { // nn.ModuleList of VIDLoss, one per stage; regressor = nn.Sequential(conv, relu, ...)
                int stage = Integer.parseInt(module.replaceAll("\\D", ""));
                return module.startsWith("logScale") ? (stage - 1) + ".log_scale"
                        : (stage - 1) + ".regressor." + layerIndex + "." + leaf;
            }
            case "cc", "crd": // LinearEmbed / Embed: .linear
                return (module.equals("embedStudent") ? "embed_s" : "embed_t") + ".linear." + leaf;
            case "afd": {
                if (module.equals("positionTeacher")) {
                    return "p_t";
                }
                if (module.equals("positionStudent")) {
                    return "p_s";
                }
                String head = module.startsWith("query") ? "query_layer." + (Integer.parseInt(module.substring(5)) - 1)
                        : module.startsWith("key") ? "key_layer." + (Integer.parseInt(module.substring(3)) - 1)
                        : module;
                return head + "." + layer + "." + leaf;
            }
            case "hmat": // a lone Conv2d per channel stage
                return module + "." + leaf;
            default:
                throw new AssertionError("no parameter mapping for term " + kind + " (" + djl + ")");
        }
    }

    private static String torchLeaf(String djl) {
        return switch (djl) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djl;
        };
    }

    /**
     * Sets every parameter of the parts from the reference's weights; every one of either side must be used.
     *
     * @return the PyTorch name of each DJL parameter
     */
    static Map<String, String> loadParameters(String name, String kind, Parts parts, JsonNode weights) {
        Map<String, Parameter> djl = parts.parameters();
        Map<String, String> torchNames = new LinkedHashMap<>();
        if (weights == null) {
            assertEquals(Set.of(), djl.keySet(), name + ": the term owns parameters the case does not give");
            return torchNames;
        }
        Set<String> unused = new HashSet<>(names(weights));
        for (Map.Entry<String, Parameter> p : djl.entrySet()) {
            String torch = pytorchName(kind, p.getKey());
            JsonNode w = weights.get(torch);
            if (w == null) {
                fail(name + ": DJL parameter " + p.getKey() + " (as " + torch + ") not in the case's " + names(weights));
            }
            NDArray array = p.getValue().getArray();
            assertEquals(shape(w.get("shape")), array.getShape(), name + ": shape of " + p.getKey() + " / " + torch);
            array.set(floats(w.get("data")));
            unused.remove(torch);
            torchNames.put(p.getKey(), torch);
        }
        assertEquals(Set.of(), unused, name + ": reference weights without a DJL parameter (DJL: " + djl.keySet() + ")");
        return torchNames;
    }

    // ---- inputs

    static Features features(JsonNode f, NDManager manager) {
        NDArray logits = array(f.get("logits"), manager);
        List<NDArray> stages = arrays(f.get("stages"), manager);
        List<NDArray> preacts = f.has("preacts") ? arrays(f.get("preacts"), manager) : stages;
        List<NDArray> blocks = f.has("blocks") ? arrays(f.get("blocks"), manager) : List.of();
        NDArray stem = manager.zeros(new Shape(logits.getShape().get(0), 1, 1, 1));
        return new Features(logits, stages, preacts, array(f.get("pooled"), manager), blocks, stem);
    }

    /** The student's arrays by the script's gradient keys: student.logits, student.stages.0, ... */
    static Map<String, NDArray> studentInputs(Features f) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("student.logits", f.logits());
        out.put("student.pooled", f.pooled());
        for (int i = 0; i < f.stages().size(); i++) {
            out.put("student.stages." + i, f.stages().get(i));
            if (f.preacts().get(i) != f.stages().get(i)) {
                out.put("student.preacts." + i, f.preacts().get(i));
            }
        }
        for (int i = 0; i < f.blocks().size(); i++) {
            out.put("student.blocks." + i, f.blocks().get(i));
        }
        return out;
    }

    /** max_i |got_i - want_i| / max_i |want_i|, asserted at most TOLERANCE; the reference must not be all zero. */
    static double assertClose(String what, JsonNode want, NDArray got) {
        assertNotNull(got, what + ": no gradient");
        assertEquals(shape(want.get("shape")), got.getShape(), what + ": shape");
        float[] g = got.toFloatArray();
        JsonNode data = want.get("data");
        double scale = 0;
        double worst = 0;
        int at = -1;
        for (int i = 0; i < g.length; i++) {
            scale = Math.max(scale, Math.abs(data.get(i).asDouble()));
        }
        assertTrue(scale > 0, what + ": the reference is all zeros, which pins nothing");
        for (int i = 0; i < g.length; i++) {
            double e = Math.abs(g[i] - data.get(i).asDouble());
            if (e > worst) {
                worst = e;
                at = i;
            }
        }
        double relative = worst / scale;
        if (relative > TOLERANCE) {
            fail(String.format(Locale.ROOT, "%s: entry %d is %.9g, reference %.9g (error %.2e of the largest "
                    + "entry %.3g)", what, at, g[at], data.get(at).asDouble(), relative, scale));
        }
        return relative;
    }

    static double maxAbs(JsonNode data) {
        double m = 0;
        for (JsonNode v : data) {
            m = Math.max(m, Math.abs(v.asDouble()));
        }
        return m;
    }

    static double maxAbs(float[] data) {
        double m = 0;
        for (float v : data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static List<JsonNode> valuesOf(JsonNode object) {
        List<JsonNode> out = new ArrayList<>();
        object.elements().forEachRemaining(out::add);
        return out;
    }

    static NDArray array(JsonNode a, NDManager manager) {
        return manager.create(floats(a.get("data")), shape(a.get("shape")));
    }

    static List<NDArray> arrays(JsonNode list, NDManager manager) {
        List<NDArray> out = new ArrayList<>();
        list.forEach(a -> out.add(array(a, manager)));
        return out;
    }

    static Shape shape(JsonNode dims) {
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asLong();
        }
        return new Shape(d);
    }

    static float[] floats(JsonNode data) {
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) data.get(i).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode data) {
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asInt();
        }
        return out;
    }

    static long[] longs(JsonNode data) {
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asLong();
        }
        return out;
    }

    static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    static Set<String> names(JsonNode object) {
        Set<String> out = new java.util.LinkedHashSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        return object::fields;
    }
}
