import Networks

/// Named network sizes, each with a run length and readout cadence to match; the
/// optimisation comes from a `TrainingRecipe`. Flags override any part.
public enum TrainingPreset: String, CaseIterable, Sendable {
    /// A few seconds per hundred steps on two cores: for trying things out and for tests.
    case tiny
    /// The workbench's default: the paper's block count at width 256 with 40 values per
    /// token, run for about fifteen minutes on two cores (the white-box model's steps in
    /// 900 s, or the DiT's, on the `fast` recipe's 200 principal components or, for a
    /// recipe on genes, on 2000 genes), which gives the cells docs/recipe.md reports.
    case small
    /// The reference implementation's network: width 768.
    case reference

    public var summary: String {
        switch self {
        case .tiny: return "width 64, 2 blocks, 4 heads, patch 20, 2000 steps"
        case .small: return "width 256, 3 blocks, 8 heads, patch 40, about 15 min on 2 cores (fast: 90000 steps white-box, 38600 DiT)"
        case .reference: return "width 768, 3 blocks, 8 heads, patch 10, 4000 steps (the paper's network)"
        }
    }

    /// The plan for `data` with this preset's network (of `architecture`), trained by `recipe`.
    public func plan(data: String, architecture: Architecture = .whiteBox, recipe: TrainingRecipe = .fast) throws -> RunPlan {
        let (hidden, depth, heads, patch): (Int, Int, Int, Int)
        switch self {
        case .tiny: (hidden, depth, heads, patch) = (64, 2, 4, 20)
        case .small: (hidden, depth, heads, patch) = (256, 3, 8, 40)
        case .reference: (hidden, depth, heads, patch) = (768, 3, 8, 10)
        }
        let model = try ModelConfig(architecture: architecture, inputWidth: 1, patchSize: patch, hiddenSize: hidden,
                                    depth: depth, heads: heads)
        var plan = RunPlan(dataPath: data, model: model)
        recipe.apply(to: &plan)
        switch self {
        case .tiny: (plan.totalSteps, plan.checkpointEvery, plan.readoutEvery) = (2000, 200, 20)
        case .small:
            // Steps in 900 s on Zeisel (docs/recipe.md): 5 tokens of 40 leading scores, or 50 of 40 genes.
            let onScores = recipe.principalComponents != nil
            plan.totalSteps = architecture == .whiteBox ? (onScores ? 90000 : 28000) : (onScores ? 38600 : 10000)
            (plan.checkpointEvery, plan.readoutEvery) = (1000, 100)
        case .reference: (plan.totalSteps, plan.checkpointEvery, plan.readoutEvery) = (4000, 500, 50)
        }
        return plan
    }
}
