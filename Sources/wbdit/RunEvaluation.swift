import Analysis
import CellData
import Diffusion
import Foundation
import Networks

/// The cells `wbdit eval --run` compares: the run's held-out cells, prepared as the run
/// prepared its data, and as many cells generated from its latest checkpoint — for a
/// conditional run, each asked for the type of a held-out cell, so both have one mix — with
/// the training cells that give the comparison its space and its floors.
struct RunEvaluation {
    let path: String
    let config: TrainingConfig
    /// The held-out cells (with their types) and the training cells the comparison uses.
    let cells: EvaluationCells
    var real: CellMatrix { cells.heldOut }
    var labels: [String]? { cells.heldOutLabels }
    var peer: (cells: CellMatrix, labels: [String]?) { (cells.peer, cells.peerLabels) }
    /// The prepared data's gene names, when it has them.
    let geneNames: [String]?
    /// The latest checkpoint's network; nil when the cells to judge come from elsewhere.
    let network: DiffusionTransformer?
    /// What the network generates and how it returns to the data's units.
    let space: NetworkSpace
    /// How generated cells become counts; nil when the data held none (or `counts: false`).
    let countModel: CountModel?
    /// Why cells cannot become counts, when they cannot.
    let countsUnavailable: String?

    /// `ema`: sample with the run's moving average of the weights instead of the weights
    /// themselves. `sampling: false` skips the network, for cells generated elsewhere;
    /// `counts: false` scores the network's own cells, before the count model.
    /// `labels` names the obs column of cell types (the run's --stratify column unless given).
    init(run path: String, ema: Bool = false, sampling: Bool = true, counts: Bool = true, labels column: String? = nil) throws {
        let (run, config) = try RunDirectory.open(path)
        let split = try run.split(config)
        if let column, let own = config.labelColumn, column != own {
            throw InputError("\(path) is conditioned on \(own); its cells are evaluated by that column, not \(column)")
        }
        let prepared = try run.cells(config, labelsFrom: column ?? split.stratifiedBy)
        guard split.heldOutCells.count >= 4 else {
            throw InputError("\(path) holds out \(split.heldOutCells.count) cells: too few to evaluate")
        }
        cells = try EvaluationCells(prepared, split: split, geneScale: config.data.geneScale)
        if sampling {
            guard let step = try run.latestStep() else { throw InputError("\(path) has no checkpoint yet") }
            let network = ema ? try run.loadEMA(step: step) : try Checkpoint.load(run.modelPath(step: step))
            network.inferenceOnly = true
            self.network = network
        } else {
            network = nil
        }
        geneNames = prepared.geneNames
        space = NetworkSpace(config: config, basis: sampling ? try run.basis(config) : nil)
        countsUnavailable = counts ? CountModel.unavailability(prepared) : "the count model was turned off (--no-counts)"
        countModel = sampling && counts ? try CountModel.ofRun(config, source: prepared, split: split, basis: space.basis) : nil
        self.path = path
        self.config = config
    }

    /// The space held-out and generated cells are compared in: `components` principal
    /// components of the training cells.
    func basis(components: Int) -> PCA {
        PCA(fitting: cells.basis, components: max(1, min(components, cells.basis.cells - 1, cells.basis.genes)))
    }

    /// The types generated cells are asked for: the held-out cells' own, in a conditional run.
    var requested: [String]? { config.labelNames == nil ? nil : labels }

    /// The held-out and peer cells' counts over the run's genes, when the data held counts.
    var realCounts: (heldOut: CellMatrix, peer: CellMatrix)? {
        let target = config.data.preparation.targetSum
        guard let a = cells.heldOutLibrarySizes, let b = cells.peerLibrarySizes else { return nil }
        return (CountStatistics.counts(logNormalised: real, librarySizes: a, targetSum: target),
                CountStatistics.counts(logNormalised: cells.peer, librarySizes: b, targetSum: target))
    }

    /// The count-level comparison's cells, when both sides have counts.
    func counts(generated: CellMatrix?) -> Evaluation.Counts? {
        guard let generated, let real = realCounts else { return nil }
        return Evaluation.Counts(real: real.heldOut, generated: generated, peer: real.peer)
    }

    /// As many generated cells as held-out ones, drawn with `settings`, in the data's units:
    /// with a count model, counts and their log-normalised values; otherwise the network's
    /// cells (clamped at 0 when the data is non-negative). `guidance` weighs classifier-free
    /// guidance in a conditional run (1: plain conditional sampling).
    func generate(_ settings: SamplerSettings, guidance: Double = 1) throws -> (cells: CellMatrix, counts: CellMatrix?) {
        guard let network else { throw InputError("\(path): opened without its network") }
        let count = real.cells
        let classes = try requested.map { try config.classIndices(of: $0) }
        let progress = ProgressLine()
        var asked = settings
        asked.clampNonNegative = true
        let cells = try space.generate(config.target.noisePredictor(network), settings: asked, cells: count, labels: classes,
                                       guidance: guidance, nullLabel: Int32(config.labelNames?.count ?? 0)) { done, total in
            progress.update(String(format: "sampling %d cells%@: step %d/%d", count,
                                   classes == nil ? "" : String(format: " (guidance %g)", guidance), done, total))
        }
        progress.finish()
        guard let countModel else { return (cells, nil) }
        let drawn = countModel.counts(for: cells, seed: settings.seed)
        return (drawn.logNormalised, drawn.counts)
    }
}
