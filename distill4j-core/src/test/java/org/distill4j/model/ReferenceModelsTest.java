package org.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model against the reference PyTorch definitions (RepDistiller for the CIFAR-100 benchmark's nets and
 * ShuffleNetV2, kuangliu/pytorch-cifar for the seed's ResNets): trainable parameters for 10 and 100 classes,
 * the shapes of the stem, stage (before and after activation) and pooled features at 32x32, the number of blocks,
 * and forward FLOPs. The table, {@code reference-models.json}, is written by {@code scripts/reference_models.py}
 * with Debian's python3-torch from those repositories' definitions (commits recorded in the file).
 */
class ReferenceModelsTest {

    static Stream<JsonNode> models() throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        reference().get("models").forEach(rows::add);
        return rows.stream();
    }

    private static JsonNode reference() throws IOException {
        try (InputStream in = ReferenceModelsTest.class.getResourceAsStream("/reference-models.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesTheReferenceDefinition(JsonNode row) {
        String name = row.get("name").asText();
        try (NDManager manager = NDManager.newBaseManager()) {
            assertEquals(row.get("params100").asLong(), count(name, 100, manager), name + " parameters, 100 classes");
            Network net = Models.createInitialized(new ModelSpec(name, 0, 10, 3), manager, 32, 32);
            assertEquals(row.get("params10").asLong(), Models.countParameters(net), name + " parameters, 10 classes");
            assertEquals(row.get("flops10").asLong(), net.flops(32, 32), name + " FLOPs");

            Features f = net.features(new ParameterStore(manager, false), manager.zeros(new Shape(2, 3, 32, 32)), false);
            assertEquals(shape(row.get("stem")), f.stem().getShape(), name + " stem");
            JsonNode stages = row.get("stages");
            assertEquals(stages.size(), f.stageCount(), name + " stage count");
            assertEquals(stages.size(), net.stageCount(), name + " stageCount()");
            JsonNode preacts = row.get("preact").isNull() ? stages : row.get("preact");
            for (int s = 1; s <= f.stageCount(); s++) {
                assertEquals(shape(stages.get(s - 1)), f.stage(s).getShape(), name + " stage " + s);
                assertEquals(shape(preacts.get(s - 1)), f.preact(s).getShape(), name + " pre-activation stage " + s);
                assertEquals(stages.get(s - 1).get(1).asLong(), net.stageChannels(s), name + " stageChannels " + s);
            }
            assertEquals(shape(row.get("pooled")), f.pooled().getShape(), name + " pooled");
            assertEquals(row.get("blocks").asInt(), f.blocks().size(), name + " blocks");
        }
    }

    private static long count(String name, int classes, NDManager manager) {
        try (NDManager sub = manager.newSubManager()) {
            return Models.countParameters(Models.createInitialized(new ModelSpec(name, 0, classes, 3), sub, 32, 32));
        }
    }

    private static Shape shape(JsonNode dims) {
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asLong();
        }
        return new Shape(d);
    }

    /** Every name {@code distill4j models} lists is pinned by the table (CBAM has no reference; ParameterCountTest). */
    @Test
    void everyListedModelHasAReferenceRow() throws IOException {
        Set<String> pinned = new TreeSet<>();
        reference().get("models").forEach(r -> pinned.add(r.get("name").asText()));
        for (String name : ModelSpec.NAMES) {
            assertTrue(name.endsWith("-cbam") || pinned.contains(name), name + " has no reference row");
        }
    }

    /** The pre-activation form differs from the stage output where the reference says it does. */
    @Test
    void preactivationIsBeforeTheReluWhereThereIsOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String name : List.of("resnet20", "wrn-16-2", "vgg8", "shufflenetv1", "shufflenetv2-0.5x")) {
                Network net = Models.createInitialized(new ModelSpec(name, 0, 10, 3), manager, 32, 32);
                Features f = net.features(new ParameterStore(manager, false),
                        manager.randomNormal(new Shape(2, 3, 32, 32)), true);
                for (int s = 1; s <= f.stageCount(); s++) {
                    NDArray pre = f.preact(s);
                    assertTrue(pre.lt(0).any().getBoolean(), name + " stage " + s + " pre-activation has no negatives");
                }
                if (!name.startsWith("wrn")) { // WRN stage outputs are raw sums, negative too
                    assertTrue(f.stage(1).gte(0).all().getBoolean(), name + " stage 1 is post-ReLU");
                }
            }
        }
    }
}
