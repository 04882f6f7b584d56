package org.distill4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.distill4j.config.TrainConfig;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.junit.jupiter.api.Test;

/**
 * {@link Trainer#trainStep} applies the momentum its caller gives (a user's loop under a one-cycle schedule
 * changes it every step). With PyTorch's form the first step does not depend on it (the buffer starts as the
 * first update), and the second differs between momenta mu and 0 by exactly mu times the first step.
 */
class TrainerStepTest {
    private static final float LR = 0.05f;

    @Test
    void theSecondStepCarriesTheCallersMomentumTimesTheFirst() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Network model = Models.createInitialized(new ModelSpec("resnet18", 4, 10, 3), manager, 32, 32);
            Map<String, NDArray> start = snapshot(model);
            NDArray x = manager.randomNormal(new Shape(8, 3, 32, 32));
            NDArray y = manager.create(new int[] {0, 1, 2, 3, 4, 5, 6, 7});

            float[] w0 = trainable(model);
            float[] w1Fast = steps(model, manager, start, x, y, 0.9f);
            float[] w1Still = steps(model, manager, start, x, y, 0.0f);
            assertArrayEquals(w1Fast, w1Still, 1e-6f, "the first step does not depend on the momentum");

            float[] w2Fast = steps(model, manager, start, x, y, 0.9f, 0.9f);
            float[] w2Still = steps(model, manager, start, x, y, 0.9f, 0.0f);
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < w0.length; i++) {
                double want = 0.9 * (w1Fast[i] - w0[i]);
                scale = Math.max(scale, Math.abs(want));
                worst = Math.max(worst, Math.abs((w2Fast[i] - w2Still[i]) - want));
            }
            assertTrue(scale > 1e-4, "the steps moved the weights (" + scale + ")");
            assertEquals(0, worst / scale, 1e-3, "second steps at momentum 0.9 and 0 differ by 0.9 x the first step");
        }
    }

    /** Restores the network to {@code start}, then takes one trainStep per momentum with a fresh optimizer. */
    private static float[] steps(Network model, NDManager manager, Map<String, NDArray> start, NDArray x, NDArray y,
            float... momenta) {
        model.getParameters().forEach(p -> p.getValue().getArray().set(start.get(p.getKey()).toFloatArray()));
        List<Parameter> params = new ArrayList<>();
        model.getParameters().values().stream().filter(Parameter::requiresGradient).forEach(params::add);
        TrainObjective objective = TrainObjective.hardLabels();
        objective.bind(new TrainObjective.Context(manager, new int[8], 10, 1));
        try (NDManager sub = manager.newSubManager();
                SgdMomentum sgd = new SgdMomentum(params, 0.9, 5e-4, false, true, sub)) {
            Trainer trainer = new Trainer(model, sub, objective, sgd,
                    new LearningRateSchedule(TrainConfig.defaults()), TrainListener.NONE);
            for (float mu : momenta) {
                try (NDManager step = sub.newSubManager()) {
                    NDArray xs = x.duplicate();
                    NDArray ys = y.duplicate();
                    xs.attach(step);
                    ys.attach(step);
                    trainer.trainStep(xs, ys, LR, mu);
                }
            }
        }
        return trainable(model);
    }

    private static Map<String, NDArray> snapshot(Network model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        model.getParameters().forEach(p -> out.put(p.getKey(), p.getValue().getArray().duplicate()));
        return out;
    }

    private static float[] trainable(Network model) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (Parameter p : model.getParameters().values()) {
            if (p.requiresGradient()) {
                float[] a = p.getArray().toFloatArray();
                parts.add(a);
                n += a.length;
            }
        }
        float[] flat = new float[n];
        int at = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, flat, at, a.length);
            at += a.length;
        }
        return flat;
    }
}
