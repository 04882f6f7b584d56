package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.distill4j.config.Overrides;
import org.distill4j.config.TrainConfig;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static LearningRateSchedule schedule(Map<String, Object> o) {
        return new LearningRateSchedule(Overrides.apply(TrainConfig.defaults(), o));
    }

    @Test
    void cosineStartsAtLrHalvesAtMiddleEndsAtZero() {
        LearningRateSchedule s = schedule(Map.of("epochs", 10, "lr", 0.2));
        assertEquals(0.2, s.at(0), 1e-12);
        assertEquals(0.1, s.at(5), 1e-12);
        assertEquals(0.2 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(2.5), 1e-12);
        assertEquals(0.0, s.at(10), 1e-12);
    }

    @Test
    void warmupRisesLinearlyFromATenthThenCosineOverTheRest() {
        LearningRateSchedule s = schedule(Map.of("epochs", 12, "lr", 0.1, "warmupEpochs", 2));
        assertEquals(0.01, s.at(0), 1e-12);
        assertEquals(0.055, s.at(1), 1e-12);
        assertEquals(0.1, s.at(2), 1e-12);
        assertEquals(0.05, s.at(7), 1e-12);
    }

    @Test
    void multistepDecaysAtMilestones() {
        LearningRateSchedule s = schedule(Map.of("epochs", 10, "lr", 1.0, "schedule", "multistep",
                "milestones", List.of(3, 6), "lrDecay", 0.5));
        assertEquals(1.0, s.at(2.99), 1e-12);
        assertEquals(0.5, s.at(3), 1e-12);
        assertEquals(0.25, s.at(9), 1e-12);
        LearningRateSchedule d = schedule(Map.of("epochs", 8, "lr", 1.0, "schedule", "multistep"));
        assertEquals(0.1, d.at(4), 1e-12); // default milestones: 50% and 75%
        assertEquals(0.01, d.at(6), 1e-12);
    }
}
