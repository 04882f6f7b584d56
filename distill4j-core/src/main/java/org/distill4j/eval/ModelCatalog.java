package org.distill4j.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.distill4j.config.ConfigException;
import org.distill4j.model.Architecture;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;

/**
 * The {@code models} table: for each model of the zoo, what a user weighs when picking a student or a teacher
 * (trainable parameters, the size of its parameter file, forward GFLOPs and batch-1 latency on this machine) and
 * its stages (how many, and their channels and sides, which attention transfer pairs up).
 */
public final class ModelCatalog {

    /**
     * What to measure.
     *
     * @param names     models to list (empty: {@link ModelSpec#NAMES})
     * @param classes   classifier outputs (10 for CIFAR-10, 100 for CIFAR-100)
     * @param size      input side (square, 3 channels)
     * @param width     base width of the seed's ResNets (0: the paper's 64)
     * @param runs      timed batch-1 calls per model (0: no latency)
     */
    public record Options(List<String> names, int classes, int size, int width, int runs) {
        public Options {
            names = names == null || names.isEmpty() ? ModelSpec.NAMES : List.copyOf(names);
            ConfigException.require(classes >= 2, "classes", classes, ">= 2");
            ConfigException.require(size >= 8 && size <= 1024, "size", size, "8..1024");
            ConfigException.require(width >= 0 && width <= 1024, "width", width, "0..1024 (0: 64)");
            ConfigException.require(runs >= 0 && runs <= 10_000, "runs", runs, "0..10000");
            for (String name : names) {
                try {
                    Architecture.parse(name);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage());
                }
            }
        }
    }

    /**
     * One model.
     *
     * @param name       its name
     * @param width      base width of the seed's ResNets; 0 for the others (their width is in the name)
     * @param params     trainable parameters
     * @param sizeBytes  bytes of its parameter file ({@code parameters.bin})
     * @param gflops     forward GFLOPs of one image (2 x multiply-adds of convs and linear layers; CBAM's small
     *                   attention layers, under 0.5% of a ResNet's, are not counted)
     * @param latencyMs  median batch-1 latency of the BatchNorm-folded inference copy, ms (NaN: not measured)
     * @param stages     per stage "CxHxW" of its output
     */
    public record Row(String name, int width, long params, long sizeBytes, double gflops, double latencyMs,
            List<String> stages) {
        /** The name as tables print it ("resnet18 w64", "wrn-16-2"). */
        public String label() {
            return ModelSpec.label(name, width);
        }
    }

    private ModelCatalog() {}

    /**
     * Builds every model (random weights: speed and size do not depend on them) and measures it.
     *
     * @param progress told each finished row, so a long table shows its progress
     */
    public static List<Row> measure(Options o, Consumer<Row> progress) {
        List<Row> rows = new ArrayList<>();
        Engine.getInstance().setRandomSeed(0);
        for (String name : o.names()) {
            ModelSpec spec = new ModelSpec(name, Architecture.parse(name).hasWidth() ? o.width() : 0, o.classes(), 3);
            try (NDManager manager = NDManager.newBaseManager()) {
                Network net = Models.createInitialized(spec, manager, o.size(), o.size());
                double latency = o.runs() == 0 ? Double.NaN
                        : Speed.latency(net, manager, 3, o.size(), o.size(), ModelReport.LATENCY_WARMUP, o.runs())[0];
                Row row = new Row(spec.name(), spec.width(), Models.countParameters(net), serializedBytes(net),
                        net.flops(o.size(), o.size()) / 1e9, latency, stageShapes(net, manager, o.size()));
                rows.add(row);
                progress.accept(row);
            }
        }
        return rows;
    }

    private static List<String> stageShapes(Network net, NDManager manager, int size) {
        List<String> shapes = new ArrayList<>();
        try (NDManager scratch = manager.newSubManager()) {
            var f = net.features(new ai.djl.training.ParameterStore(scratch, false),
                    scratch.zeros(new ai.djl.ndarray.types.Shape(1, 3, size, size)), false);
            for (int s = 1; s <= f.stageCount(); s++) {
                long[] d = f.stage(s).getShape().getShape();
                shapes.add(d[1] + "x" + d[2] + "x" + d[3]);
            }
        }
        return shapes;
    }

    /** Bytes DJL writes for the parameters, as in a saved model's parameters.bin. */
    static long serializedBytes(Network net) {
        long[] count = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (DataOutputStream out = new DataOutputStream(counter)) {
            net.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count[0];
    }
}
