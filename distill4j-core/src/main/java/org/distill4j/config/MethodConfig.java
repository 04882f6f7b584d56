package org.distill4j.config;

import java.util.List;

/**
 * The distillation method: L = alpha * L_KD + beta * L_Align + gamma * L_Attn (the seed's total loss), with
 * L_KD = (1 - lambda) * CE + lambda * T^2 * KL (Hinton et al. 2015), L_Attn a weighted sum of attention-transfer
 * terms over stages (Zagoruyko &amp; Komodakis 2017; hierarchical as in HMAT, Gou et al. 2022), optionally
 * masked by the teacher's Integrated-Gradients importance (the seed's causal masks), and L_Align InfoNCE
 * between student and teacher attention maps. A weight of 0 switches its term off. Presets by name are in
 * {@code org.distill4j.distill.Methods}.
 *
 * @param name         preset this config came from (informational; the numbers below are what runs)
 * @param alpha        weight of L_KD
 * @param lambda       share of the soft-target term inside L_KD (0: cross-entropy only)
 * @param temperature  softmax temperature T of the soft targets
 * @param gamma        weight of L_Attn
 * @param attnStages   student/teacher stages (1..4) whose attention maps are transferred
 * @param attnWeights  one weight per entry of attnStages (HMAT's per-stage weights); empty: all 1
 * @param causal       weight attention transfer by the teacher's causal (IG) mask
 * @param causalStage  teacher stage whose output IG explains (the seed: layer3)
 * @param igSteps      IG's Riemann steps m
 * @param causalTop    keep only the top fraction of each mask's positions (0 or 1: keep all)
 * @param beta         weight of L_Align
 * @param alignStage   stage whose attention maps are aligned
 * @param alignTau     InfoNCE temperature tau
 */
public record MethodConfig(
        String name,
        double alpha,
        double lambda,
        double temperature,
        double gamma,
        List<Integer> attnStages,
        List<Double> attnWeights,
        boolean causal,
        int causalStage,
        int igSteps,
        double causalTop,
        double beta,
        int alignStage,
        double alignTau) {

    public MethodConfig {
        attnStages = attnStages == null ? List.of() : List.copyOf(attnStages);
        attnWeights = attnWeights == null ? List.of() : List.copyOf(attnWeights);
        ConfigException.require(alpha >= 0 && Double.isFinite(alpha), "alpha", alpha, ">= 0");
        ConfigException.require(lambda >= 0 && lambda <= 1, "lambda", lambda, "[0, 1]");
        ConfigException.require(temperature > 0 && Double.isFinite(temperature), "temperature", temperature, "> 0");
        ConfigException.require(gamma >= 0 && Double.isFinite(gamma), "gamma", gamma, ">= 0");
        ConfigException.require(beta >= 0 && Double.isFinite(beta), "beta", beta, ">= 0");
        ConfigException.require(alpha + beta + gamma > 0, "alpha/beta/gamma", alpha + "/" + beta + "/" + gamma,
                "at least one weight > 0");
        for (int s : attnStages) {
            ConfigException.require(s >= 1 && s <= 4, "attnStages", attnStages, "stages in 1..4");
        }
        ConfigException.require(gamma == 0 || !attnStages.isEmpty(), "attnStages", attnStages,
                "at least one stage when gamma > 0");
        ConfigException.require(attnWeights.isEmpty() || attnWeights.size() == attnStages.size(), "attnWeights",
                attnWeights, "one weight per attention stage (" + attnStages.size() + ")");
        for (double w : attnWeights) {
            ConfigException.require(w >= 0 && Double.isFinite(w), "attnWeights", attnWeights, "weights >= 0");
        }
        ConfigException.require(causalStage >= 1 && causalStage <= 4, "causalStage", causalStage, "1..4");
        ConfigException.require(igSteps >= 1 && igSteps <= 1024, "igSteps", igSteps, "1..1024");
        ConfigException.require(causalTop >= 0 && causalTop <= 1, "causalTop", causalTop, "[0, 1]");
        ConfigException.require(alignStage >= 1 && alignStage <= 4, "alignStage", alignStage, "1..4");
        ConfigException.require(alignTau > 0 && Double.isFinite(alignTau), "alignTau", alignTau, "> 0");
    }

    /** Weight of attention stage i of {@link #attnStages}. */
    public double attnWeight(int i) {
        return attnWeights.isEmpty() ? 1.0 : attnWeights.get(i);
    }
}
