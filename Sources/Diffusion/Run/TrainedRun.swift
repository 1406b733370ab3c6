import CellData
import Foundation
import Networks

/// A trained run, opened once: its configuration, split and basis, the cells it keeps,
/// its count model and its latest network — all that sampling, evaluation, reports,
/// inspection and the workbench use, read from the run directory alone. Only continuing
/// training reads the data file.
///
/// A run from before runs kept their cells and count model (or one whose pieces were
/// deleted) gets them computed once from its data and written into it, with a note; when
/// its trainer is live or the folder cannot be written, they are computed for this use only.
public struct TrainedRun {
    public let directory: RunDirectory
    public let config: TrainingConfig
    public let split: HeldOutSplit
    /// The principal basis the network works in; nil for a network on genes.
    public let basis: PrincipalBasis?
    /// The run's cells, labelled by the column its split was stratified by.
    public let cells: CellSource
    /// How generated cells become counts; nil when they cannot (`countsUnavailable` says why).
    public let countModel: CountModel?

    public var path: String { directory.path }
    /// What the network generates and how it returns to the data's units.
    public var space: NetworkSpace { NetworkSpace(config: config, basis: basis) }
    /// Why the run's cells cannot come out as counts, or nil when they can.
    public var countsUnavailable: String? { CountModel.unavailability(cells) }

    /// Opens the run at `path`; `note` hears what was computed because the run lacked it.
    public init(path: String, note: (String) -> Void = TrainedRun.printNote) throws {
        (directory, config) = try RunDirectory.open(path)
        split = try directory.split(config)
        basis = try directory.basis(config)
        if Self.isWritable(directory) {
            let (config, column) = (config, split.stratifiedBy)
            let added = try directory.keepForUse(config, split: split, basis: basis) { try config.openCells(labelsFrom: column) }
            if !added.isEmpty { note("\(path) lacked \(added.joined(separator: " and ")), which runs now keep: computed once from its data and kept") }
        }
        cells = try directory.cells(config, labelsFrom: split.stratifiedBy)
        let modelPath = directory.countModelPath
        let current = FileManager.default.fileExists(atPath: modelPath) && !CountModel.isOutdated(modelPath)
        countModel = current ? try CountModel(contentsOf: modelPath, genes: config.data.genes)
            : try CountModel.ofRun(config, source: cells, split: split, basis: basis)
    }

    /// Whether this process may add what the run lacks: no live trainer holds it, and the
    /// folder can be written.
    private static func isWritable(_ run: RunDirectory) -> Bool {
        if let holder = RunLock.holder(of: run), !RunLock.isStale(holder) { return false }
        return FileManager.default.isWritableFile(atPath: run.path)
    }

    public static func printNote(_ text: String) {
        FileHandle.standardError.write(Data("note: \(text)\n".utf8))
    }

    /// The run's cells with labels from `column`: its own when that is the column it keeps.
    public func cells(labelsFrom column: String?) throws -> CellSource {
        guard let column, column != split.stratifiedBy else { return cells }
        return try directory.cells(config, labelsFrom: column)
    }

    /// Cells `rows` as the network reads them: prepared as the run prepared them and, for a
    /// run on principal-component scores, projected as it projected them.
    public func networkInput(_ rows: [Int]) throws -> CellMatrix {
        let cells = try self.cells.rows(rows)
        return basis?.project(cells) ?? cells
    }

    /// The held-out and training cells the run's evaluations compare, labelled from `column`
    /// (the run's own types when nil).
    public func evaluationCells(labelsFrom column: String? = nil) throws -> EvaluationCells {
        guard split.heldOutCells.count >= 4 else {
            throw TrainingError("\(path) holds out \(split.heldOutCells.count) cells: too few to evaluate")
        }
        return try EvaluationCells(try cells(labelsFrom: column), split: split, geneScale: config.data.geneScale)
    }

    /// The step of the newest checkpoint; a run without one is refused.
    public func latestStep() throws -> Int {
        guard let step = try directory.latestStep() else { throw TrainingError("\(path) has no checkpoint yet") }
        return step
    }

    /// The network of the newest checkpoint — its moving average of the weights with `ema` —
    /// and its step; ready to sample, or with `readouts` keeping each block's activations.
    public func network(ema: Bool = false, readouts: Bool = false) throws -> (network: DiffusionTransformer, step: Int) {
        let step = try latestStep()
        let network = ema ? try directory.loadEMA(step: step) : try Checkpoint.load(directory.modelPath(step: step))
        network.inferenceOnly = !readouts
        return (network, step)
    }

    /// `count` labels in the training cells' mix of types, or of combinations of attributes
    /// (each in proportion).
    public func trainingMix(_ count: Int) throws -> [String] {
        guard let attributes = config.labelAttributes, let labels = try cells(labelsFrom: attributes.key).labels else {
            throw TrainingError("\(path) is not conditioned on a label column")
        }
        var counts: [String: Int] = [:]
        for cell in split.trainCells { counts[labels[cell], default: 0] += 1 }
        return LabelRequest.trainingMix.labels(cells: count, counts: counts) ?? []
    }

    /// `count` cells drawn from `network` with `settings`, in the data's units; each asked
    /// for its label in `labels` (a conditional run; nil asks for none; a combination may
    /// name some attributes only) with classifier-free `guidance`. With `counts`, they also
    /// come out as counts (nil when the run has no count model). They are cells
    /// `firstCell…` of the seed's sequence, so a large sample may be drawn a block at a time.
    public func generate(_ network: DiffusionTransformer, settings: SamplerSettings, cells count: Int, firstCell: Int = 0, batch: Int = 32,
                         labels: [String]? = nil, guidance: Guidance = .plain, counts: Bool = true,
                         progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> (cells: CellMatrix, counts: GeneratedCounts?) {
        // Cells asked for nothing are the conditional network's "no label" in every attribute.
        let condition = try config.labelAttributes.map { attributes in
            try SamplingCondition(labels: labels ?? Array(repeating: "", count: count), attributes: attributes, guidance: guidance)
        }
        let generated = try space.generate(config.target.noisePredictor(network), settings: settings, cells: count, firstCell: firstCell,
                                           batch: batch, condition: condition, progress: progress)
        return (generated, counts ? countModel?.counts(for: generated, seed: settings.seed, firstCell: firstCell) : nil)
    }
}
