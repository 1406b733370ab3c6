import Analysis
import CellData
import Diffusion
import Foundation
import Networks

/// What `wbdit eval --run` compares, from a `TrainedRun`: its held-out cells and as many
/// cells generated from its latest checkpoint — for a conditional run, each asked for the
/// type of a held-out cell, so both have one mix — with the training cells that give the
/// comparison its space and its floors.
public struct RunEvaluation {
    public let run: TrainedRun
    /// The held-out cells (with their types) and the training cells the comparison uses.
    public let cells: EvaluationCells
    public var path: String { run.path }
    public var config: TrainingConfig { run.config }
    public var real: CellMatrix { cells.heldOut }
    public var labels: [String]? { cells.heldOutLabels }
    public var peer: (cells: CellMatrix, labels: [String]?) { (cells.peer, cells.peerLabels) }
    /// The run's gene names, when its data had them.
    public var geneNames: [String]? { run.cells.geneNames }
    /// The latest checkpoint's network; nil when the cells to judge come from elsewhere.
    public let network: DiffusionTransformer?
    /// How generated cells become counts; nil when they cannot or `counts: false` was asked.
    public let countModel: CountModel?
    /// Why generated cells are not counts, when they are not.
    public let countsUnavailable: String?

    /// `ema`: sample with the run's moving average of the weights. `sampling: false` skips
    /// the network, for cells generated elsewhere; `counts: false` scores the network's own
    /// cells, before the count model. `labels` names the obs column of cell types (the
    /// run's --stratify column unless given).
    public init(run: TrainedRun, ema: Bool = false, sampling: Bool = true, counts: Bool = true, labels column: String? = nil) throws {
        if let column, let own = run.config.labelColumn, column != own {
            throw TrainingError("\(run.path) is conditioned on \(own); its cells are evaluated by that column, not \(column)")
        }
        self.run = run
        cells = try run.evaluationCells(labelsFrom: column)
        network = sampling ? try run.network(ema: ema).network : nil
        countsUnavailable = counts ? run.countsUnavailable : "the count model was turned off (--no-counts)"
        countModel = counts ? run.countModel : nil
    }

    /// The space held-out and generated cells are compared in: `components` principal
    /// components of the training cells.
    public func basis(components: Int) -> PCA {
        PCA(fitting: cells.basis, components: max(1, min(components, cells.basis.cells - 1, cells.basis.genes)))
    }

    /// The types generated cells are asked for: the held-out cells' own, in a conditional run.
    public var requested: [String]? { config.labelAttributes == nil ? nil : labels }

    /// The count-level comparison's cells, when both sides have counts.
    public func counts(generated: CellMatrix?) -> Evaluation.Counts? {
        guard let generated, let real = cells.counts(targetSum: config.data.preparation.targetSum) else { return nil }
        return Evaluation.Counts(real: real.heldOut, generated: generated, peer: real.peer)
    }

    /// As many generated cells as held-out ones, drawn with `settings`, in the data's units:
    /// with a count model, counts and their log-normalised values; otherwise the network's
    /// cells (clamped at 0 when the data is non-negative). `guidance` weighs classifier-free
    /// guidance in a conditional run (1: plain conditional sampling).
    public func generate(_ settings: SamplerSettings, guidance: Guidance = .plain,
                         progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> (cells: CellMatrix, counts: CellMatrix?) {
        guard let network else { throw TrainingError("\(path): opened without its network") }
        var asked = settings
        asked.clampNonNegative = true
        let generated = try run.generate(network, settings: asked, cells: real.cells, labels: requested, guidance: guidance,
                                         counts: countModel != nil, progress: progress)
        guard let drawn = generated.counts else { return (generated.cells, nil) }
        return (drawn.logNormalised, drawn.counts)
    }
}
