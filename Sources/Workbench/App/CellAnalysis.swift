import Analysis
import CellData
import Diffusion
import Foundation
import Report

/// The workbench's background analysis of cells, on its own serial queue so the screen
/// never waits: the t-SNE map of the held-out cells (posted every few iterations as it
/// forms), the figures of each generated cell, its placement on the map, and evaluations.
/// Kernels run on this queue's thread only, beside the trainer's threads. Given the run's
/// `comparison` cells, the map and the evaluations use the training cells' principal
/// components and floors against as many training cells, as `wbdit eval --run` does.
/// With a count model, generated cells are drawn as counts first (seeded by their step),
/// and every figure, the map and the evaluations see the counts' log-normalised values.
final class CellAnalysis: @unchecked Sendable {
    private let queue = DispatchQueue(label: "wbdit-analysis", qos: .utility)
    private let inbox: Inbox
    private let reference: ReferenceCells
    private let comparison: EvaluationCells?
    private let logNormalised: Bool
    /// Fits the run's count model (nil: the data has no counts); called once, on `queue`.
    private let fitCountModel: @Sendable () -> CountModel?
    // Touched only on `queue`.
    private lazy var countModel: CountModel? = fitCountModel()
    private var pca: PCA?
    private var map: TSNE?
    private var pendingSamples: SampleSet?
    /// Bumped when the session closes, so queued work for an old run does nothing.
    private var cancelled = false

    /// Map snapshots go out at most this often.
    static let snapshotIterations = 10

    init(reference: ReferenceCells, comparison: EvaluationCells? = nil, logNormalised: Bool, inbox: Inbox,
         countModel: @escaping @Sendable () -> CountModel? = { nil }) {
        self.reference = reference
        self.comparison = comparison
        self.logNormalised = logNormalised
        self.inbox = inbox
        fitCountModel = countModel
    }

    /// The cells the workbench shows and scores for generated `samples`: their counts,
    /// log-normalised, when the run has a count model; otherwise the network's cells.
    /// Runs on `queue`.
    private func observed(_ samples: SampleSet) -> (cells: CellMatrix, counts: CellMatrix?) {
        let generated = CellMatrix(cells: samples.count, genes: samples.genes, values: samples.values)
        guard let countModel, countModel.basis.genes == samples.genes else { return (generated, nil) }
        let drawn = countModel.counts(for: generated, seed: UInt64(samples.step))
        return (drawn.logNormalised, drawn.counts)
    }

    /// Reads the units of the run at `path` — its latest checkpoint — in genes and cell
    /// types (a few seconds), for the Layers screen; nothing when the run keeps no types or
    /// gene names.
    func readUnits(ofRunAt path: String) {
        queue.async { [self] in
            guard !cancelled, let run = try? TrainedRun(path: path, note: { _ in }), let units = try? RunUnits(run: run) else { return }
            inbox.post(.units(units))
        }
    }

    func cancel() { queue.async { self.cancelled = true } }

    private var cells: CellMatrix { CellMatrix(cells: reference.count, genes: reference.genes, values: reference.values) }

    /// Embeds the held-out cells, posting the map as it forms.
    func buildMap() {
        queue.async { [self] in
            guard !cancelled, reference.count >= 4 else { return }
            let real = cells
            let pca = principalComponents()
            self.pca = pca
            let map = TSNE(points: pca.transform(real))
            while !map.isFinished && !cancelled {
                map.iterate(Self.snapshotIterations)
                let phase = map.isFinished ? "done" : map.isExaggerating ? "early exaggeration" : "embedding"
                inbox.post(.map(CellMap(real: map.embedding.values, iteration: map.iteration, totalIterations: map.totalIterations,
                                        phase: phase, klDivergence: map.isFinished ? map.klDivergence() : nil)))
            }
            self.map = map
            if let pending = pendingSamples { place(pending) }
        }
    }

    /// The space cells are compared in: 50 PCs of the training cells, or of the held-out ones.
    /// Runs on `queue`.
    private func principalComponents() -> PCA {
        let fitted = comparison?.basis ?? cells
        return PCA(fitting: fitted, components: max(1, min(50, fitted.genes, fitted.cells - 1)))
    }

    /// Measures each generated cell, then places the cells on the map (once it is done).
    func analyse(_ samples: SampleSet) {
        queue.async { [self] in
            guard !cancelled, samples.genes == reference.genes, reference.count > 0 else { return }
            let (generated, counts) = observed(samples)
            let nearest = NearestNeighbours(of: generated, in: cells, k: 1)
            var set = samples
            set.values = generated.values
            set.isCounts = counts != nil
            set.cells = (0..<samples.count).map { i in
                let range = (i * samples.genes)..<((i + 1) * samples.genes)
                let library: Double, detected: Int
                if let counts {
                    (library, detected) = (counts.values[range].reduce(0.0) { $0 + Double($1) }, counts.values[range].filter { $0 > 0 }.count)
                } else {
                    let row = generated.values[range]
                    (library, detected) = (row.reduce(0.0) { $0 + (logNormalised ? Double(expm1($1)) : Double($1)) }, row.filter { $0 > 0 }.count)
                }
                return SampleSet.Cell(librarySize: library, genesDetected: detected, nearestReal: Int(nearest.indices[i]),
                                      nearestDistance: Double(nearest.squaredDistances[i]).squareRoot())
            }
            inbox.post(.samples(set))
            if map != nil { place(set) } else { pendingSamples = set }
        }
    }

    /// Runs on `queue`.
    private func place(_ samples: SampleSet) {
        guard let map, let pca, !cancelled else { return }
        pendingSamples = nil
        let generated = CellMatrix(cells: samples.count, genes: samples.genes, values: samples.values)
        let placement = TSNEPlacement(pca.transform(generated), on: map)
        let kl = map.klDivergence()
        while !placement.isFinished && !cancelled {
            placement.iterate(Self.snapshotIterations * 2)
            inbox.post(.map(CellMap(real: map.embedding.values, generated: placement.embedding.values, generatedStep: samples.step,
                                    iteration: placement.iteration, totalIterations: placement.settings.iterations,
                                    phase: placement.isFinished ? "done" : "placing \(samples.count) cells", klDivergence: kl)))
        }
    }

    /// Compares the generated cells with the held-out ones; writes `report.json` into the run.
    func evaluate(_ samples: SampleSet, runPath: String?) {
        queue.async { [self] in
            guard !cancelled else { return }
            guard reference.count >= 4, samples.count >= 2 else {
                inbox.post(.message("too few cells to evaluate (\(reference.count) held out, \(samples.count) generated)", isError: true))
                return
            }
            inbox.post(.message("evaluating \(samples.count) generated cells against \(reference.count) held-out cells…", isError: false))
            // Samples already measured hold their observed cells; the trainer's raw ones are drawn here.
            let (generated, counts) = samples.isCounts ? (CellMatrix(cells: samples.count, genes: samples.genes, values: samples.values), nil)
                : observed(samples)
            let basis = pca ?? principalComponents()
            let real = countModel.flatMap { model in comparison?.counts(targetSum: model.targetSum) }
            let evaluation = Evaluation(real: cells, generated: generated, components: basis.count, labels: reference.labels,
                                        basis: basis, peer: comparison.map { ($0.peer, $0.peerLabels) },
                                        counts: counts.flatMap { c in real.map { Evaluation.Counts(real: $0.heldOut, generated: c, peer: $0.peer) } })
            var types: PerLabelEvaluation?
            if let requested = samples.requested, let labels = reference.labels {
                types = PerLabelEvaluation(real: cells, labels: labels, generated: generated, requested: requested,
                                           components: basis.count, basis: basis)
            }
            let report = EvaluationReport(evaluation, realCells: reference.count, generatedCells: samples.count, genes: reference.genes,
                                          generatedValues: samples.isCounts || counts != nil ? "counts" : "network", step: samples.step,
                                          types: types)
            if let runPath { _ = try? report.write(intoRun: runPath) }
            let metrics = report.figures
            inbox.post(.evaluation(step: samples.step, metrics))
            let figures = metrics.filter { ["mmd2_rbf", "knn_auc", "gene_gene_corr_r", "type_accuracy"].contains($0.key) }
                .map { String(format: "%@ %.3g (floor %.3g)", $0.key, $0.generated, $0.floor) }
            inbox.post(.message("evaluated step \(samples.step): " + figures.joined(separator: ", "), isError: false))
        }
    }
}
