import CellData
import Foundation
import Kernels
import Networks

/// What a new run is made of before it starts: the data and how to prepare it, the held-
/// out fraction, the network and the optimisation settings. Both front ends (`wbdit train`
/// and the workbench) start runs through it, so a run is the same whichever started it.
public struct RunPlan: Sendable, Equatable {
    public var dataPath: String
    public var preparation = Preparation()
    /// An obs column (cell type) of an .h5ad to stratify the held-out split by (nil: the
    /// label column, else `typeColumn(in:)` of the data unless `stratifiesByDefault` is off).
    public var stratifyBy: String?
    public var stratifiesByDefault = true
    public var holdout = 0.1
    /// The network; its gene count is replaced by the data's.
    public var model: ModelConfig
    /// The recipe the optimisation settings below started from (flags may override parts).
    public var recipe: TrainingRecipe?
    public var batch = 16
    public var learningRate = 1e-4
    public var weightDecay = 0.01
    public var totalSteps = 1000
    /// Passes over the training cells; when set, it fixes `totalSteps` once the split is known.
    public var epochs: Int?
    public var warmupSteps = 0
    public var cosineDecay = false
    public var minimumLearningRate = 0.0
    public var gradientClip: Double?
    public var emaDecay: Double?
    /// What the network learns to predict: ε (the reference) or the velocity v.
    public var predictionTarget = PredictionTarget.epsilon
    /// Min-SNR-γ loss weighting (nil: none, as the reference).
    public var minSNRGamma: Double?
    /// Timestep sampling biased towards noisy steps, density ∝ t^(K−1) (nil or 1: uniform).
    public var timestepPower: Double?
    public var checkpointEvery = 500
    public var keepCheckpoints = 3
    public var readoutEvery = 50
    public var seed: UInt64 = 0
    /// The columns to condition on, one or several joined by commas (the held-out split is
    /// then stratified by their combinations too).
    public var labelColumn: String?
    /// The fraction of cells trained without their label, in each attribute independently,
    /// for classifier-free guidance.
    public var labelDropout = 0.1
    /// Stop after this many seconds of training (with a checkpoint).
    public var timeBudgetSeconds: Double?
    public var threads: Int?
    /// The precision of the training step's matrix products.
    public var precision = ProductPrecision.float32
    /// Stream the cells from disk (true), read them whole (false), or decide by size (nil:
    /// stream when the matrix would fill more than a quarter of memory).
    public var streaming: Bool?
    /// How a streamed run reads its cells.
    public var streamingLayout = StreamingLayout()
    /// Train on the training cells' leading principal-component scores instead of the
    /// genes (generated scores are restored to genes): true or false, or nil for the
    /// recipe's choice where the cells are read whole.
    public var principalBasis: Bool?
    /// How many leading components, under `principalBasis` (setting it implies the basis):
    /// nil for the recipe's count, or all of them when the recipe has none.
    public var principalComponents: Int?
    public var softwareVersion = "0.1.0"
    /// Choose `totalSteps` from the time budget: the step is timed on this machine, with
    /// this data, before training starts (set when a budget is given and no length).
    public var stepsFromBudget = false

    public init(dataPath: String, model: ModelConfig) {
        self.dataPath = dataPath
        self.model = model
    }

    /// Checks every setting that does not need the data; the message names the value.
    /// The settings a run keeps are checked by the one validation every run gets
    /// (`TrainingConfig.checkSettings`); here only what the plan alone decides.
    public func validate() throws {
        if let labelColumn, let stratifyBy, stratifyBy != labelColumn {
            throw TrainingError("a conditional run is stratified by its label column \(labelColumn), not \(stratifyBy)")
        }
        if stratifyBy != nil, !stratifiesByDefault { throw TrainingError("give --stratify or --no-stratify, not both") }
        guard (0..<1).contains(holdout) else { throw TrainingError("the held-out fraction must be in [0, 1) (got \(holdout))") }
        if let principalComponents {
            guard principalBasis != false else { throw TrainingError("a count of principal components needs the principal basis, not --no-pca-basis") }
            guard principalComponents >= 1 else { throw TrainingError("the principal-component count must be at least 1 (got \(principalComponents))") }
        }
        if let problem = ProductPrecision.problem(running: precision) { throw TrainingError(problem) }
        var settings = try config(data: DataSource(path: dataPath, checksum: "", cells: 0, genes: model.inputWidth, nonNegative: true),
                                  model: model, threads: threads ?? 1)
        settings.labelDropout = labelDropout
        try settings.checkSettings()
    }

    /// A run as it starts: its trainer and the cells it holds out, for evaluation.
    public struct Started {
        public let trainer: Trainer
        public let cells: CellSource
        public let split: HeldOutSplit
    }

    /// Reads and prepares the data, splits it and creates the run directory.
    public func start(runPath: String, progress: (String) -> Void = { _ in }) throws -> Started {
        try validate()
        let stratifyBy = labelColumn ?? self.stratifyBy ?? (stratifiesByDefault ? Self.typeColumn(in: dataPath) : nil)
        let streams = streaming ?? CellSource.isLarge(dataPath, source: preparation.source)
        if streams { try streamingLayout.check(batch: batch) }   // before the passes over the file
        if streams && (principalBasis == true || principalComponents != nil) {
            throw TrainingError("principal-component scores (--pca-basis) need the cells read whole, not streamed")
        }
        let usesBasis = principalBasis ?? (principalComponents != nil || (!streams && recipe?.principalComponents != nil))
        let prepared = try CellSource.open(dataPath, preparation, labelsFrom: stratifyBy,
                                           streamBlockCells: streams ? streamingLayout.blockCells : nil, progress: progress)
        let split = HeldOutSplit(cells: prepared.cells, labels: prepared.labels, stratifiedBy: stratifyBy,
                                 fraction: holdout, seed: seed)
        var plan = self
        if let epochs { plan.totalSteps = epochs * max(1, split.trainCells.count / batch) }
        let attributes = try labelColumn.map { try Self.labelAttributes($0, of: prepared.labels ?? []) }
        plan.model.labelClasses = attributes?.classes.map(\.count)
        var basis: PrincipalBasis?
        if usesBasis {
            if let principalComponents, principalComponents > prepared.genes {
                throw TrainingError("\(principalComponents) principal components asked for, but the data has \(prepared.genes) genes")
            }
            progress("fitting the principal basis of \(split.trainCells.count) training cells")
            guard split.trainCells.count >= 2, let fitted = PrincipalBasis(fitting: try prepared.rows(split.trainCells)) else {
                throw TrainingError("cannot fit a principal basis to the \(split.trainCells.count) training cells")
            }
            basis = fitted.leading(principalComponents ?? min(recipe?.principalComponents ?? fitted.genes, fitted.genes))
        }
        var config = try plan.makeConfig(prepared, basis: basis)
        if streams { config.data.streaming = streamingLayout }
        if let attributes {
            config.labelAttributes = attributes
            config.labelDropout = labelDropout
        }
        let trainingLabels = attributes == nil ? nil : prepared.labels.map { l in split.trainCells.map { l[$0] } }
        if stepsFromBudget, let budget = timeBudgetSeconds {
            progress("timing the training step on this machine")
            try chooseSteps(&config, budget: budget, source: prepared, split: split, labels: trainingLabels, basis: basis)
        }
        let trainer = try Trainer.start(config: config, source: prepared, trainCells: split.trainCells, labels: trainingLabels,
                                        runPath: runPath, split: split, basis: basis)
        progress("keeping the cells using the run reads, and fitting its count model")
        _ = try trainer.run.keepForUse(trainer.config, split: split, basis: basis) { prepared }
        return Started(trainer: trainer, cells: prepared, split: split)
    }

    /// The label attributes of the columns `key` names, their classes read from the cells'
    /// `labels`. One column must label every cell, as before several could be named; of
    /// several, a missing value is that attribute's "no label" for the cell.
    static func labelAttributes(_ key: String, of labels: [String]) throws -> LabelAttributes {
        let columns = CombinedLabel.columns(of: key)
        guard Set(columns).count == columns.count, !columns.contains("") else {
            throw TrainingError("the label columns \(key) name a column twice or an empty one")
        }
        var classes = [Set<String>](repeating: [], count: columns.count)
        for label in Set(labels) {
            for (a, value) in try CombinedLabel.values(in: label, columns: columns).enumerated() {
                if let value, !value.isEmpty { classes[a].insert(value) }
            }
        }
        if columns.count == 1 {
            let missing = labels.filter(\.isEmpty).count
            guard missing == 0 else {
                throw TrainingError("the label column \(key) has no value for \(missing) of its \(labels.count) cells: label them, or leave them out, to condition on it")
            }
        }
        for (column, names) in zip(columns, classes) where names.count < 2 {
            throw TrainingError("the label column \(column) has \(names.count) label\(names.count == 1 ? "" : "s"): nothing to condition on")
        }
        return LabelAttributes(columns: columns, classes: classes.map { $0.sorted() })
    }

    /// The cell-type column a run stratifies by when none is named: `cell_type` (scanpy's
    /// and the PBMC 3k sample's) or `level1` (the Zeisel sample's major types), when the
    /// data is an .h5ad with one; its types are then kept with the run.
    public static func typeColumn(in dataPath: String) -> String? {
        guard dataPath.lowercased().hasSuffix(".h5ad"), let file = try? AnnDataFile(path: dataPath),
              let columns = try? file.columns("obs") else { return nil }
        return ["cell_type", "level1"].first(where: columns.contains)
    }

    /// Reopens a run to continue it from its latest checkpoint, with the data prepared as
    /// its config says (the file must be unchanged). `totalSteps`, or `epochs` over its
    /// training cells, extends or shortens it.
    public static func resume(runPath: String, dataPath: String? = nil, totalSteps: Int? = nil,
                              epochs: Int? = nil) throws -> Started {
        let (run, saved) = try RunDirectory.open(runPath)
        _ = try run.resumableStep()   // before the data is read
        let split = try run.split(saved)
        let prepared = try saved.openCells(path: dataPath, labelsFrom: split.stratifiedBy)
        let labels = saved.labelAttributes == nil ? nil : prepared.labels.map { l in split.trainCells.map { l[$0] } }
        let total = epochs.map { $0 * max(1, split.trainCells.count / saved.batch) } ?? totalSteps
        let trainer = try Trainer.resume(runPath: runPath, source: prepared, trainCells: split.trainCells, labels: labels,
                                         totalSteps: total)
        let added = try run.keepForUse(saved, split: split, basis: trainer.basis) { prepared }
        if !added.isEmpty { TrainedRun.printNote("\(runPath) lacked \(added.joined(separator: " and ")), which runs now keep: computed from its data") }
        return Started(trainer: trainer, cells: prepared, split: split)
    }

    /// Sets the run's length (and its schedule's) to the steps that fit `budget`, timing the
    /// step on the network and cells the trainer will see, and records how it was chosen.
    private func chooseSteps(_ config: inout TrainingConfig, budget: Double, source: CellSource, split: HeldOutSplit,
                             labels: [String]?, basis: PrincipalBasis?) throws {
        let cells = try makeTrainingCells(config, source, trainCells: split.trainCells, basis: basis)
        let classes = try labels.flatMap { labels in try config.labelAttributes.map { try $0.codes(of: labels) } }
        let seconds = try StepTimer.medianSeconds(config: config, cells: cells, labels: classes)
        let steps = StepTimer.steps(budget: budget, stepSeconds: seconds)
        config.totalSteps = steps
        config.learningRate.totalSteps = steps
        config.lengthChoice = String(format: "%d steps: %.0f s of budget at %.2f ms a step, timed on this machine before training, less 5%% for readouts and checkpoints",
                                     steps, budget, seconds * 1000)
    }

    /// The run's configuration for its prepared data: the network as wide as the data has
    /// genes, or on a principal `basis` as it has components (the plan's network has no
    /// width until then); the thread count is configured here.
    func makeConfig(_ prepared: CellSource, basis: PrincipalBasis? = nil) throws -> TrainingConfig {
        var model = self.model
        model.inputWidth = basis?.components ?? prepared.genes
        try model.validateForData()
        let threads = self.threads ?? Threads.available
        guard TrainingLimits.threads.contains(threads) else {
            throw TrainingError("threads must be between 1 and \(TrainingLimits.threads.upperBound) (got \(threads))")
        }
        Threads.configure(threads)
        var source = DataSource(path: DataSource.recorded(dataPath),
                                checksum: try DataSource.checksum(ofFile: dataPath), cells: prepared.cells,
                                genes: prepared.genes, nonNegative: prepared.nonNegative,
                                preparation: preparation, preprocessing: prepared.steps, geneNames: prepared.geneNames,
                                geneScale: prepared.geneScale)
        source.counts = CountModel.origin(prepared)
        source.principalBasis = basis.map { _ in true }
        source.principalComponents = basis?.components
        return try config(data: source, model: model, threads: Threads.count)
    }

    /// The plan's settings as a run configuration over `data`: one mapping from the plan's
    /// options to what a run keeps, for checking them and for starting the run.
    private func config(data: DataSource, model: ModelConfig, threads: Int) throws -> TrainingConfig {
        var config = TrainingConfig(
            softwareVersion: softwareVersion, model: model, data: data, batch: batch,
            optimiser: AdamWSettings(learningRate: Float(learningRate), weightDecay: Float(weightDecay)),
            learningRate: LearningRateSchedule(peakRate: learningRate, warmupSteps: warmupSteps, cosineDecay: cosineDecay,
                                               minimumRate: minimumLearningRate, totalSteps: totalSteps),
            gradientClip: gradientClip, emaDecay: emaDecay, seed: seed, threads: threads, totalSteps: totalSteps,
            checkpointEvery: checkpointEvery, keepCheckpoints: keepCheckpoints, readoutEvery: readoutEvery)
        config.timeBudgetSeconds = timeBudgetSeconds
        config.predictionTarget = predictionTarget == .epsilon ? nil : predictionTarget
        config.minSNRGamma = minSNRGamma
        config.timestepPower = timestepPower == 1 ? nil : timestepPower
        config.recipe = recipe
        config.productPrecision = precision == .float32 ? nil : precision
        return config
    }
}
