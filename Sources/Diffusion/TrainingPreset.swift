import Networks

/// Named starting points for a run: a network size and the optimisation settings that
/// go with it. Flags override any part.
public enum TrainingPreset: String, CaseIterable, Sendable {
    /// A few seconds per hundred steps on two cores: for trying things out and for tests.
    case tiny
    /// The workbench's default: the paper's block count at width 256; on two cores the loss
    /// falls within seconds and the first generated cells appear within a couple of minutes.
    case small
    /// The reference implementation's setting: width 768, AdamW 1e-4, batch 16.
    case reference

    public var summary: String {
        switch self {
        case .tiny: return "width 64, 2 blocks, 4 heads, patch 20, batch 32, lr 1e-3"
        case .small: return "width 256, 3 blocks, 8 heads, patch 10, batch 16, lr 1e-4"
        case .reference: return "width 768, 3 blocks, 8 heads, patch 10, batch 16, lr 1e-4 (the paper's)"
        }
    }

    /// The plan for `data` with this preset's network (of `architecture`) and settings.
    public func plan(data: String, architecture: Architecture = .whiteBox) throws -> RunPlan {
        let (hidden, depth, heads, patch): (Int, Int, Int, Int)
        var plan: RunPlan
        switch self {
        case .tiny: (hidden, depth, heads, patch) = (64, 2, 4, 20)
        case .small: (hidden, depth, heads, patch) = (256, 3, 8, 10)
        case .reference: (hidden, depth, heads, patch) = (768, 3, 8, 10)
        }
        let model = try ModelConfig(architecture: architecture, genes: 1, patchSize: patch, hiddenSize: hidden,
                                    depth: depth, heads: heads)
        plan = RunPlan(dataPath: data, model: model)
        switch self {
        case .tiny:
            (plan.batch, plan.learningRate, plan.totalSteps) = (32, 1e-3, 2000)
            (plan.checkpointEvery, plan.readoutEvery) = (200, 20)
        case .small:
            (plan.batch, plan.learningRate, plan.totalSteps) = (16, 1e-4, 4000)
            (plan.checkpointEvery, plan.readoutEvery) = (250, 25)
        case .reference:
            (plan.batch, plan.learningRate, plan.totalSteps) = (16, 1e-4, 4000)
            (plan.checkpointEvery, plan.readoutEvery) = (500, 50)
        }
        return plan
    }
}
