import CellData
import Diffusion
import Foundation
import Networks

/// The cells `wbdit eval --run` compares: the run's held-out cells, prepared as the run
/// prepared its data, and as many cells generated from its latest checkpoint.
enum RunEvaluation {
    static func cells(run path: String, steps: Int, seed: UInt64) throws -> (real: CellMatrix, generated: CellMatrix, labels: [String]?) {
        let (run, config) = try RunDirectory.open(path)
        let split = try run.split()
        guard try DataSource.checksum(ofFile: config.data.path) == config.data.checksum else {
            throw InputError("\(config.data.path) has changed since \(path) was trained on it")
        }
        let prepared = try CellSource.open(config.data.path, config.data.preparation, labelsFrom: split.stratifiedBy,
                                           streamBlockCells: config.data.streaming?.blockCells)
        let heldOut = split.heldOutCells
        guard heldOut.count >= 4 else { throw InputError("\(path) holds out \(heldOut.count) cells: too few to evaluate") }
        let real = try prepared.rows(heldOut)
        guard let step = try run.latestStep() else { throw InputError("\(path) has no checkpoint yet") }
        let network = try Checkpoint.load(run.modelPath(step: step))
        network.inferenceOnly = true
        let progress = ProgressLine()
        var values = Sampler(settings: SamplerSettings(steps: steps, clampNonNegative: config.data.nonNegative, seed: seed))
            .sample(network, cells: heldOut.count) { done, total in
                progress.update(String(format: "sampling %d cells: step %d/%d", heldOut.count, done, total))
            }
        progress.finish()
        var realCells = real
        if let scale = config.data.geneScale {
            // Both sides back in the data's own units (the prepared cells come out scaled).
            Preprocessing.unscale(&values, genes: network.config.genes, scale: scale)
            Preprocessing.unscale(&realCells.values, genes: real.genes, scale: scale)
        }
        return (realCells, CellMatrix(cells: heldOut.count, genes: network.config.genes, values: values),
                prepared.labels.map { labels in heldOut.map { labels[$0] } })
    }
}
