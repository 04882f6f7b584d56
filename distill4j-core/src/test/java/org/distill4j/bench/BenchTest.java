package org.distill4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.distill4j.config.ConfigException;
import org.distill4j.run.Json;
import org.junit.jupiter.api.Test;

/** The bench's arithmetic, and one tiny run end to end with the JSON keys the issue names. */
class BenchTest {

    @Test
    void rateIsTheMedianWithSlowestAndFastestCall() {
        Bench.Rate r = Bench.Rate.of(new double[] {0.5, 0.25, 1.0, 0.5, 2.0}, 10);
        assertEquals(20.0, r.imagesPerSec(), 1e-12); // median 0.5 s
        assertEquals(5.0, r.min(), 1e-12);           // slowest call, 2 s
        assertEquals(40.0, r.max(), 1e-12);          // fastest call, 0.25 s
        assertEquals(5, r.iters());
        assertEquals(10.0 / 0.75, Bench.Rate.of(new double[] {1.0, 0.5}, 10).imagesPerSec(), 1e-12);
    }

    @Test
    void tinyRunMeasuresEveryStepAndWritesTheNamedKeys() throws Exception {
        List<String> log = new ArrayList<>();
        Bench.Result r = Bench.run(new Bench.Options(2, 4, 2, 0, 2, "cpu", 0, List.of("student-only", "crd", "vid")),
                log::add);
        assertEquals(List.of("student", "teacherForward", "kd", "seedOnline", "seedBank", "eval"),
                List.copyOf(r.steps().keySet()));
        r.steps().forEach((name, rate) -> {
            assertTrue(rate.imagesPerSec() > 0 && Double.isFinite(rate.imagesPerSec()), name);
            assertTrue(rate.min() <= rate.imagesPerSec() && rate.imagesPerSec() <= rate.max(), name);
        });
        assertTrue(r.latencyMs() > 0 && r.peakGflops() > 0);
        assertEquals(List.of("forward", "backward", "optimizer"), List.copyOf(r.studentStepMs().keySet()));
        r.studentStepMs().values().forEach(ms -> assertTrue(ms > 0, r.studentStepMs().toString()));
        JsonNode json = new ObjectMapper().readTree(Json.toJson(r));
        for (String step : List.of("student", "teacherForward", "kd", "seedOnline", "seedBank", "eval")) {
            assertTrue(json.at("/steps/" + step + "/imagesPerSec").isNumber(), step);
            assertTrue(json.at("/steps/" + step + "/min").isNumber(), step);
        }
        assertTrue(json.get("bankViewsPerSec").isNumber() && json.has("latencyMs") && json.has("peakGflops"));
        for (String step : List.of("student", "seedBank", "eval")) {
            assertTrue(json.at("/steps/" + step + "/gflops").isNumber(), step);
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("peak")), log.toString());
        // each preset's step, online and from the bank, against a student-only step (labels alone needs no row)
        assertEquals(List.of("crd", "vid"), List.copyOf(r.methods().keySet()));
        r.methods().forEach((name, c) -> {
            assertTrue(c.onlineCost() > 0 && c.bankCost() > 0 && Double.isFinite(c.onlineCost()), name);
            assertEquals(r.steps().get("student").imagesPerSec() / c.bank().imagesPerSec(), c.bankCost(), 1e-9, name);
            assertTrue(c.methodParams() > 0, name + " trains heads or regressors");
        });
        assertTrue(json.at("/methods/crd/onlineCost").isNumber() && json.at("/methods/vid/bank/imagesPerSec").isNumber());
    }

    @Test
    void forwardFlopsOfResNet18MatchTheCountByHand() {
        // Width 64, 32x32: stem 3->64 3x3 at 32x32; stage s (s = 1..4, c = 64 * 2^(s-1), r = 32 / 2^(s-1)) has four
        // 3x3 convolutions, the first from c/2 channels (64 in stage 1), plus a 1x1 shortcut from c/2 in stages
        // 2-4; a 512->10 classifier. FLOPs = 2 * sum(out * in * k * k * r * r).
        double expected = 2.0 * 64 * 3 * 9 * 32 * 32 + 2.0 * 512 * 10;
        for (int s = 1; s <= 4; s++) {
            long c = 64L << (s - 1);
            long r = 32 >> (s - 1);
            long in = s == 1 ? 64 : c / 2;
            expected += 2.0 * (c * in * 9 + 3 * c * c * 9) * r * r;
            if (s > 1) {
                expected += 2.0 * c * in * r * r;
            }
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.distill4j.model.Network net = org.distill4j.model.Models.createInitialized(
                    new org.distill4j.model.ModelSpec("resnet18", 64, 10, 3), m, 32, 32);
            assertEquals(expected, net.flops(32, 32), 1.0);
        }
        assertEquals(1.11e9, expected, 0.01e9); // the usual "0.56 GMACs" of CIFAR ResNet18
    }

    @Test
    void badOptionsNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Bench.Options(64, 1, 5, 2, 16, "cpu"));
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        ConfigException m = assertThrows(ConfigException.class,
                () -> new Bench.Options(8, 4, 1, 0, 2, "cpu", 0, List.of("crdd")));
        assertTrue(m.getMessage().contains("unknown method 'crdd'"), m.getMessage());
    }
}
