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
        Bench.Result r = Bench.run(new Bench.Options(2, 4, 2, 0, 2, "cpu"), log::add);
        assertEquals(List.of("student", "teacherForward", "kd", "seedOnline", "eval"), List.copyOf(r.steps().keySet()));
        r.steps().forEach((name, rate) -> {
            assertTrue(rate.imagesPerSec() > 0 && Double.isFinite(rate.imagesPerSec()), name);
            assertTrue(rate.min() <= rate.imagesPerSec() && rate.imagesPerSec() <= rate.max(), name);
        });
        assertTrue(r.latencyMs() > 0 && r.peakGflops() > 0);
        JsonNode json = new ObjectMapper().readTree(Json.toJson(r));
        for (String step : List.of("student", "teacherForward", "kd", "seedOnline", "eval")) {
            assertTrue(json.at("/steps/" + step + "/imagesPerSec").isNumber(), step);
            assertTrue(json.at("/steps/" + step + "/min").isNumber(), step);
        }
        assertTrue(json.has("bankViewsPerSec") && json.has("latencyMs") && json.has("peakGflops"));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("peak")), log.toString());
    }

    @Test
    void badOptionsNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Bench.Options(64, 1, 5, 2, 16, "cpu"));
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
    }
}
