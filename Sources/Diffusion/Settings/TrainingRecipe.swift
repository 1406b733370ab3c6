/// How a network is trained, apart from its shape and length: the optimiser's schedule,
/// what the network predicts and how timesteps are weighted. A recipe changes training,
/// never the network, so parity with the reference networks and checkpoint interchange
/// hold under either. docs/recipe.md holds the measurements behind `fast`.
public enum TrainingRecipe: String, CaseIterable, Codable, Sendable {
    /// The reference implementation's: AdamW at a constant 1e-4, batch 16, ε-prediction,
    /// every timestep weighted alike, no clipping, no EMA.
    case reference
    /// Chosen by measurement for a 15-minute budget on two CPU cores: AdamW at 1e-3 with
    /// 200 warm-up steps and cosine decay to 1e-5, gradient norm clipped at 1,
    /// v-prediction, which weights the noisy timesteps where cell types separate, and, for
    /// cells read whole, training on their leading 200 principal-component scores.
    case fast

    public var summary: String {
        switch self {
        case .reference: return "AdamW 1e-4 constant, batch 16, ε-prediction (the paper's)"
        case .fast: return "AdamW 1e-3, 200 warm-up steps, cosine to 1e-5, clip 1, batch 16, v-prediction, 200 PCs"
        }
    }

    /// How many leading principal-component scores of the training cells the network
    /// trains on (`RunPlan.principalBasis`) unless told otherwise, where the cells are read
    /// whole (at most the gene count); nil: the genes themselves.
    public var principalComponents: Int? {
        switch self {
        case .reference: return nil
        case .fast: return 200
        }
    }

    /// Sets the plan's optimisation to this recipe's (its network and length stay).
    public func apply(to plan: inout RunPlan) {
        switch self {
        case .reference:
            (plan.batch, plan.learningRate, plan.weightDecay) = (16, 1e-4, 0.01)
            (plan.warmupSteps, plan.cosineDecay, plan.minimumLearningRate) = (0, false, 0)
            (plan.gradientClip, plan.emaDecay) = (nil, nil)
            (plan.predictionTarget, plan.minSNRGamma, plan.timestepPower) = (.epsilon, nil, nil)
        case .fast:
            (plan.batch, plan.learningRate, plan.weightDecay) = (16, 1e-3, 0.01)
            (plan.warmupSteps, plan.cosineDecay, plan.minimumLearningRate) = (200, true, 1e-5)
            (plan.gradientClip, plan.emaDecay) = (1, nil)
            (plan.predictionTarget, plan.minSNRGamma, plan.timestepPower) = (.velocity, nil, nil)
        }
        plan.recipe = self
    }
}
