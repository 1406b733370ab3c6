import Analysis
import CellData
import Diffusion
import Foundation
import Storage
import Networks

/// What the report shows of one run, gathered from its directory: configuration and data
/// provenance, the training log, the evaluation `wbdit eval --run` wrote, and — when the
/// run has generated cells — their map beside the held-out cells and their per-gene
/// statistics, as counts when the data has them (as `wbdit sample` writes them).
public struct RunReport {
    public let path: String
    public let config: TrainingConfig
    public let history: RunHistory
    /// `report.json`'s figures: key → (generated, floor).
    public let evaluation: [EvaluationReport.Figure]
    /// What `report.json` scored: "counts", "network" (the network's own cells) or "file".
    public let evaluatedValues: String?
    /// The generated cells compared (nil when the run has none yet), and their step.
    public let cells: Cells?

    public struct Cells {
        public let step: Int
        public let isCounts: Bool
        /// Per gene: (real, generated) mean, variance and zero fraction on log-normalised values.
        public let means, variances, zeroFractions: [(Double, Double)]
        /// The joint t-SNE map: held-out cells, then generated ones, with the held-out types.
        public let map: [(x: Double, y: Double)]
        public let heldOut: Int
        public let types: [String]?
    }

    /// Its units read in genes and cell types, when the run has types, gene names and a checkpoint.
    public let units: RunUnits?
    /// Each layer's R^c and sparsity on held-out cells at several noise levels (nil before the first checkpoint).
    public let depth: DepthProfile?

    /// The cells the run trains on (an epoch is ⌊trainingCells / batch⌋ steps).
    public let trainingCells: Int

    public var name: String { (path as NSString).lastPathComponent }
    public var stepSeconds: Double? {
        let times = history.steps.map(\.stepSeconds).filter(\.isFinite).sorted()
        return times.isEmpty ? nil : times[times.count / 2]
    }
    public var peakMemoryMiB: Double? { history.steps.compactMap(\.peakMemoryMiB).max() }
    public var parameters: Int { ParameterLayout(config: config.model).trainableCount }

    /// Reads the run; `mapCells` bounds the cells on the map (held-out and generated each);
    /// `labels` names the obs column of cell types (the run's --stratify column unless given).
    public init(run path: String, mapCells: Int = 1500, labels: String? = nil) throws {
        let run = try TrainedRun(path: path)
        self.path = path
        config = run.config
        history = try RunHistory(contentsOf: run.directory.metricsPath)
        trainingCells = run.split.trainCells.count
        let report = EvaluationReport.read(EvaluationReport.path(inRun: path))
        evaluation = report?.figures ?? []
        evaluatedValues = report?.generatedValues
        cells = try Self.compare(run, mapCells: mapCells, labels: labels)
        units = try? RunUnits(run: run, labels: labels)
        depth = try run.directory.latestStep() == nil ? nil : try DepthProfile(run: run)
    }

    /// The latest `samples/step-N.npy` (the workbench's), or as many cells as are held out
    /// drawn from the latest checkpoint (DDIM, 50 steps, seed 0) when there is none, against
    /// the held-out cells; nil before the first checkpoint.
    static func compare(_ run: TrainedRun, mapCells: Int, labels: String?) throws -> Cells? {
        let samples = run.directory.samplesPath
        let files = (try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? []
        let sampled = files.compactMap { $0.hasPrefix("step-") && $0.hasSuffix(".npy") ? Int($0.dropFirst(5).dropLast(4)) : nil }.max()
        guard let step = try sampled ?? run.directory.latestStep() else { return nil }
        // Without the workbench's samples: cells drawn from the latest checkpoint (DDIM, 50
        // steps, seed 0), a conditional network asked for no type.
        let network = try sampled.map { try CellMatrix.load(npy: samples + "/step-\($0).npy") }
            ?? run.generate(try run.network().network, settings: SamplerSettings(steps: 50, seed: 0),
                            cells: max(2, min(mapCells, EvaluationCells.heldOutCells(run.split).count)), counts: false).cells
        guard network.genes == run.config.data.genes else { return nil }
        let comparison = try run.evaluationCells(labelsFrom: labels)
        let model = run.countModel
        let generated = model.map { $0.counts(for: network, seed: UInt64(step)).logNormalised } ?? network
        let real = comparison.heldOut
        let (a, b) = (GeneColumns(real), GeneColumns(generated))
        let shownReal = HeldOutSplit.rows(real, Array(0..<min(real.cells, mapCells)))
        let shownGenerated = HeldOutSplit.rows(generated, Array(0..<min(generated.cells, mapCells)))
        let pca = PCA(fitting: comparison.basis, components: max(1, min(50, comparison.basis.genes, comparison.basis.cells - 1)))
        var joint = pca.transform(shownReal)
        joint.values += pca.transform(shownGenerated).values
        joint = CellMatrix(cells: shownReal.cells + shownGenerated.cells, genes: pca.count, values: joint.values)
        let tsne = TSNE(points: joint)
        while !tsne.isFinished { tsne.iterate(50) }
        let e = tsne.embedding
        return Cells(step: step, isCounts: model != nil, means: Array(zip(a.means, b.means)), variances: Array(zip(a.variances, b.variances)),
                     zeroFractions: Array(zip(a.zeroFractions, b.zeroFractions)),
                     map: (0..<e.cells).map { (Double(e.values[2 * $0]), Double(e.values[2 * $0 + 1])) },
                     heldOut: shownReal.cells, types: comparison.heldOutLabels.map { Array($0.prefix(shownReal.cells)) })
    }
}
