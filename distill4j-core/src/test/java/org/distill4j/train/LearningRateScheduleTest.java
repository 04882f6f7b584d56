package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.distill4j.config.ConfigException;
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

    @Test
    void onecycleRisesFromATwentyFifthToThePeakThenFallsAndCyclesMomentumTheOtherWay() {
        LearningRateSchedule s = schedule(Map.of("epochs", 4, "lr", 0.05, "schedule", "onecycle", "onecyclePeak", 0.25));
        assertEquals(0.002, s.at(0), 1e-12); // PyTorch OneCycleLR: max_lr / div_factor 25
        assertEquals(0.002 + (0.05 - 0.002) * 0.5, s.at(0.5), 1e-12); // half-way up the half cosine
        assertEquals(0.05, s.at(1), 1e-12); // the peak at a quarter of training
        assertEquals(0.002 / 1e4 + (0.05 - 0.002 / 1e4) * 0.5, s.at(2.5), 1e-12);
        assertEquals(0.002 / 1e4, s.at(4), 1e-15); // final_div_factor 1e4
        assertEquals(0.95, s.momentumAt(0), 1e-12);
        assertEquals(0.85, s.momentumAt(1), 1e-12);
        assertEquals(0.90, s.momentumAt(2.5), 1e-12);
        assertEquals(0.95, s.momentumAt(4), 1e-12);
        assertEquals(true, s.cyclesMomentum());
    }

    @Test
    void otherSchedulesKeepTheMomentum() {
        LearningRateSchedule s = schedule(Map.of("epochs", 10, "momentum", 0.8));
        assertEquals(0.8, s.momentumAt(0), 1e-12);
        assertEquals(0.8, s.momentumAt(7.3), 1e-12);
        assertEquals(false, s.cyclesMomentum());
    }

    @Test
    void onecycleRefusesAWarmupOfItsOwnAndAMomentumItCannotCycle() {
        assertThrows(ConfigException.class, () -> schedule(Map.of("schedule", "onecycle", "warmupEpochs", 2)));
        assertThrows(ConfigException.class, () -> schedule(Map.of("schedule", "onecycle", "momentum", 0.97)));
        assertThrows(ConfigException.class, () -> schedule(Map.of("schedule", "onecycle", "onecyclePeak", 1.0)));
        assertThrows(ConfigException.class, () -> schedule(Map.of("momentum", 0.0, "nesterov", true)));
    }
}
