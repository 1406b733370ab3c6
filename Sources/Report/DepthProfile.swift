import CellData
import Diffusion
import Networks

/// CRATE's claims on a run's held-out cells: each layer's coding rate R^c and sparsity
/// with the cells noised to one timestep, for several timesteps (`inspect --noise-step`
/// for each): does R^c fall and sparsity rise with depth, at every noise level?
public struct DepthProfile: Sendable {
    public struct Level: Sendable {
        public let step: Int
        public let layers: [LayerReadout]

        public init(step: Int, layers: [LayerReadout]) { (self.step, self.layers) = (step, layers) }

        /// Whether R^c falls from each layer to the next, and sparsity rises.
        public var rateFalls: Bool { zip(layers, layers.dropFirst()).allSatisfy { $1.codingRate < $0.codingRate } }
        public var sparsityRises: Bool { zip(layers, layers.dropFirst()).allSatisfy { $1.sparsity > $0.sparsity } }
    }

    public let levels: [Level]
    /// The most R^c the network's tokens and heads allow.
    public let ceiling: Double
    public let cells: Int

    public static let defaultSteps = [10, 100, 500, 900]

    /// A profile from its parts (tests).
    public init(levels: [Level], ceiling: Double, cells: Int) { (self.levels, self.ceiling, self.cells) = (levels, ceiling, cells) }

    public init(run: TrainedRun, steps: [Int] = DepthProfile.defaultSteps, cells limit: Int = 256, seed: UInt64 = 0) throws {
        let (network, _) = try run.network(readouts: true)
        let probe = try run.networkInput(Array(EvaluationCells.heldOutCells(run.split).prefix(limit)))
        let n = probe.cells
        levels = steps.map { step in
            Level(step: step, layers: probe.values.withUnsafeBufferPointer {
                ProbeBatch.readouts(network, data: $0.baseAddress!, cells: n, seed: seed, step: step)
            })
        }
        let c = network.config
        ceiling = LayerReadout.codingRateCeiling(heads: c.heads, headWidth: c.headWidth, tokens: c.tokens)
        cells = n
    }
}
