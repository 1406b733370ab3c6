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

    /// `ema`: sample with the run's moving average of the weights instead of the weights
    /// themselves. `sampling: false` skips the network, for cells generated elsewhere.
    init(run path: String, ema: Bool = false, sampling: Bool = true) throws {
        let (run, config) = try RunDirectory.open(path)
        let split = try run.split()
        guard try DataSource.checksum(ofFile: config.data.path) == config.data.checksum else {
            throw InputError("\(config.data.path) has changed since \(path) was trained on it")
        }
        let prepared = try CellSource.open(config.data.path, config.data.preparation, labelsFrom: split.stratifiedBy,
                                           streamBlockCells: config.data.streaming?.blockCells)
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

    /// As many generated cells as held-out ones, drawn with `settings`, in the data's units
    /// (clamped at 0 when the data is non-negative); `guidance` weighs classifier-free guidance in a conditional run
    /// (1: plain conditional sampling).
    func generate(_ settings: SamplerSettings, guidance: Double = 1) throws -> CellMatrix {
        guard let network else { throw InputError("\(path): opened without its network") }
        let count = real.cells
        let classes = try requested.map { try config.classIndices(of: $0) }
        let progress = ProgressLine()
        var asked = settings
        asked.clampNonNegative = true
        var values = Sampler(settings: try space.samplerSettings(asked))
            .sample(config.target.noisePredictor(network), cells: count, labels: classes, guidance: guidance, nullLabel: Int32(config.labelNames?.count ?? 0)) { done, total in
                progress.update(String(format: "sampling %d cells%@: step %d/%d", count,
                                       classes == nil ? "" : String(format: " (guidance %g)", guidance), done, total))
            }
        progress.finish()
        space.toData(&values, clamp: true)
        return CellMatrix(cells: count, genes: values.count / count, values: values)   // genes, however wide the network
    }
}
