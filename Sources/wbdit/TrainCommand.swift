import ArgumentParser
import CellData
import Diffusion
import Foundation
import TextUI
import Kernels
import Networks

/// `wbdit train`: train a network in a run directory, or continue one.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the white-box model or the DiT baseline on cells, with checkpoints in a run directory.",
        discussion: """
        Cells come from an .h5ad (raw counts are normalised to 10⁴ per cell and \
        log1p-transformed, then the --top-genes most variable genes are kept, as scanpy \
        does) or from a cells × genes .npy used as it is. The model's gene count is the \
        data's. \
        Ctrl-C writes a checkpoint and exits 130 (a second Ctrl-C exits at once); \
        --resume continues a run exactly where its latest checkpoint left it.

        A run starts from a preset network and a recipe (docs/recipe.md), and every \
        option given overrides its part: the `small` preset (width 256, 3 blocks, 8 heads, \
        40 values per token, the steps two cores take in about fifteen minutes) under the \
        `fast` recipe (AdamW 1e-3, warm-up and cosine decay, v-prediction, on the leading \
        200 principal components) is what docs/recipe.md measured, so --data alone trains \
        it; `--preset reference --recipe reference` is the paper's network and setting.

        Examples:
          wbdit train --data cells.h5ad --time-budget 900 --run runs/demo
          wbdit train --data cells.h5ad --arch dit --steps 20000 --run runs/dit
          wbdit train --data cells.h5ad --preset reference --recipe reference --steps 6000 --run runs/paper
          wbdit train --data cells.h5ad --labels cell_type,donor --time-budget 900 --run runs/two
        """
    )

    @Option(help: "Training cells: .h5ad, a 10x folder or .csv/.tsv (preprocessed the scanpy way), or a [cells, genes] .npy (used as it is). With --resume: the run's own file unless given (a copy must have the same checksum).")
    var data: String?
    @OptionGroup(title: "Preparing the cells (not for .npy)") var preparationOptions: PreparationOptions
    @Option(help: "The fraction of cells held out from training for evaluation (saved in split.json).")
    var holdout: Double = 0.1
    @Option(help: "With .h5ad: an obs column (cell type) to stratify the held-out split by, kept with the run (default: cell_type or level1 when the data has one).")
    var stratify: String?
    @Flag(name: .customLong("no-stratify"), help: "Hold out cells at random, even when the file has a cell-type column.")
    var noStratify = false
    @Option(name: .customLong("run"), help: "The run directory.")
    var runPath: String = "runs/default"
    @Option(help: "The network and run length to start from: \(TrainingPreset.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). The network options override parts of it.")
    var preset: TrainingPreset = .small
    @OptionGroup var model: ModelOptions
    @Option(help: "How to train: \(TrainingRecipe.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). The options below override parts of it.")
    var recipe: TrainingRecipe = .fast
    @Option(help: "Cells per step (default: the recipe's).")
    var batch: Int?
    @Option(help: "Peak learning rate, AdamW (default: the recipe's).")
    var lr: Double?
    @Option(name: .customLong("weight-decay"), help: "AdamW's decoupled weight decay (default: the recipe's).")
    var weightDecay: Double?
    @Option(help: "Training steps, or give --epochs (default: with --time-budget, the steps that fit it, timed on this machine before training and again from the run's pace every twentieth of the budget; otherwise the preset's, 90000 for the white-box small preset on fast).")
    var steps: Int?
    @Option(help: "Passes over the data (each drops the last partial batch).")
    var epochs: Int?
    @Option(help: "Linear warm-up steps (default: the recipe's).")
    var warmup: Int?
    @Flag(inversion: .prefixedNo, help: "Cosine decay of the learning rate to --min-lr at the last step (default: the recipe's).")
    var cosine: Bool?
    @Option(name: .customLong("min-lr"), help: "The learning rate at the end of cosine decay (default: the recipe's).")
    var minLR: Double?
    @Option(help: "Clip the global gradient norm to this value; 0 turns clipping off (default: the recipe's).")
    var clip: Double?
    @Option(help: "Keep an exponential moving average of the weights with this decay, e.g. 0.999; 0 keeps none (default: the recipe's).")
    var ema: Double?
    @Option(help: "What the network learns to predict: epsilon (the noise, as the reference) or velocity (v = √ᾱ·ε − √(1−ᾱ)·x₀) (default: the recipe's).")
    var prediction: PredictionTarget?
    @Option(name: .customLong("min-snr"), help: "Min-SNR-γ loss weighting with this γ, e.g. 5; 0 weights every timestep alike (default: the recipe's).")
    var minSNR: Double?
    @Option(name: .customLong("timestep-power"), help: "Draw training timesteps with density rising as t^(K−1) towards the noisy end; 1 is uniform, as the reference (default: the recipe's).")
    var timestepPower: Double?
    @Flag(name: .customLong("pca-basis"), inversion: .prefixedNo, help: "Train on the training cells' leading principal-component scores instead of on the genes (the basis is saved in the run as basis.npy and every generated cell is restored to genes); sample such a run with --run (default: the recipe's, for cells read whole).")
    var pcaBasis: Bool?
    @Option(name: .customLong("pca-components"), help: "With the PCA basis: how many leading components the network sees, up to the gene count (implies --pca-basis; default: the recipe's, 200 for fast, or all).")
    var pcaComponents: Int?
    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (default: the preset's, 1000 for small).")
    var checkpointEvery: Int?
    @Option(help: "Checkpoints to keep.")
    var keep: Int = 3
    @Option(name: .customLong("readout-every"), help: "Steps between per-layer readouts (coding rate, sparsity) (default: the preset's, 100 for small).")
    var readoutEvery: Int?
    @Option(help: "Condition on these obs columns of an .h5ad, one (cell type) or several joined by commas (cell_type,donor), each with its own embedding: one network samples any label, combination or subset of them, or none (classifier-free guidance). With several, a missing value is that column's \"no label\".")
    var labels: String?
    @Option(name: .customLong("label-dropout"), help: "With --labels: the fraction of cells trained without their label, in each column independently.")
    var labelDropout: Double = 0.1
    @Option(name: .customLong("time-budget"), help: "Stop, with a checkpoint, after this many seconds of training (steps still cap the run).")
    var timeBudget: Double?
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Option(help: "Threads (default: all cores); results are reproducible at a fixed thread count.")
    var threads: Int?
    @Option(help: "The training step's matrix products: fp32, or bf16 (operands rounded to bfloat16, sums, weights and optimiser in Float32; needs AVX-512 BF16; docs/benchmarks.md measures what it gains) (default: fp32).")
    var precision: ProductPrecision?
    @Flag(help: "Continue the run in --run from its latest checkpoint.")
    var resume = false
    @Flag(help: "With .h5ad: stream the cells from disk a block at a time, or read them whole (default: stream when the matrix would fill more than a quarter of memory).")
    var reading: Reading?
    @Option(name: .customLong("block-cells"), help: "When streaming: cells per hyperslab read; 4 blocks are shuffled together.")
    var blockCells: Int = StreamingLayout().blockCells

    enum Reading: String, EnumerableFlag {
        case streaming, inMemory
        static func name(for value: Reading) -> NameSpecification { value == .streaming ? .customLong("streaming") : .customLong("in-memory") }
    }

    func run() throws {
        let trainer: Trainer
        if resume {
            _ = try RunDirectory.open(runPath)   // a path that is no run is named before any option is
            try refuseOptionsResumeCannotApply()
            let (steps, epochs) = try length()
            trainer = try RunPlan.resume(runPath: runPath, dataPath: data, totalSteps: steps, epochs: epochs).trainer
        } else {
            let progress = ProgressLine()
            trainer = try plan().start(runPath: runPath) { progress.update("reading \(data ?? ""): " + $0) }.trainer
            progress.finish()
            if let choice = trainer.config.lengthChoice { print("length: \(choice)") }
            for step in trainer.config.data.preprocessing where step.hasPrefix(Preprocessing.unloggedStepOpening) {
                TrainedRun.printNote("\(data ?? runPath): \(step) (estimated counts or TPM?)")
            }
        }
        try Self.train(trainer)
    }

    /// The new run these options describe.
    func plan() throws -> RunPlan {
        guard let data else { throw InputError("give --data (the cells to train on), or --resume with --run to continue a run") }
        var plan = try preset.plan(data: data, architecture: model.arch, recipe: recipe)
        plan.model = try model.config(over: plan.model)
        plan.model.inputWidth = 1  // the data's gene count replaces it
        plan.preparation = try preparationOptions.preparation()
        plan.stratifyBy = stratify
        plan.stratifiesByDefault = !noStratify
        plan.holdout = holdout
        if let batch { plan.batch = batch }
        if let lr { plan.learningRate = lr }
        if let weightDecay { plan.weightDecay = weightDecay }
        let (steps, epochs) = try length()
        if let steps { plan.totalSteps = steps }
        plan.epochs = epochs
        plan.stepsFromBudget = steps == nil && epochs == nil && timeBudget != nil
        if let warmup { plan.warmupSteps = warmup }
        if let cosine { plan.cosineDecay = cosine }
        if let minLR { plan.minimumLearningRate = minLR }
        if let clip { plan.gradientClip = clip == 0 ? nil : clip }
        if let ema { plan.emaDecay = ema == 0 ? nil : ema }
        if let prediction { plan.predictionTarget = prediction }
        if let minSNR { plan.minSNRGamma = minSNR == 0 ? nil : minSNR }
        if let timestepPower { plan.timestepPower = timestepPower }
        plan.principalBasis = pcaBasis
        plan.principalComponents = pcaComponents
        if let checkpointEvery { plan.checkpointEvery = checkpointEvery }
        plan.keepCheckpoints = keep
        if let readoutEvery { plan.readoutEvery = readoutEvery }
        plan.seed = seed
        plan.timeBudgetSeconds = timeBudget
        plan.labelColumn = labels
        plan.labelDropout = labelDropout
        plan.threads = threads
        plan.precision = precision ?? .float32
        plan.streaming = reading.map { $0 == .streaming }
        guard blockCells >= 1 else { throw InputError("--block-cells must be at least 1 (got \(blockCells))") }
        plan.streamingLayout.blockCells = blockCells
        plan.softwareVersion = Version.string
        return plan
    }

    /// A resumed run continues with its own configuration (its optimiser state, schedule
    /// and cells belong to it); of the options, only --steps or --epochs (a new length) and
    /// --data (another copy of the same file) apply. Any other optimisation option given
    /// is refused rather than silently ignored.
    private func refuseOptionsResumeCannotApply() throws {
        let given: [(String, Bool)] = [
            ("--batch", batch != nil), ("--lr", lr != nil), ("--weight-decay", weightDecay != nil), ("--warmup", warmup != nil),
            ("--cosine/--no-cosine", cosine != nil), ("--min-lr", minLR != nil), ("--clip", clip != nil), ("--ema", ema != nil),
            ("--prediction", prediction != nil), ("--min-snr", minSNR != nil), ("--timestep-power", timestepPower != nil),
            ("--pca-basis/--no-pca-basis", pcaBasis != nil), ("--pca-components", pcaComponents != nil), ("--labels", labels != nil),
            ("--time-budget", timeBudget != nil), ("--threads", threads != nil), ("--stratify", stratify != nil), ("--no-stratify", noStratify),
            ("--precision", precision != nil),
            ("--checkpoint-every", checkpointEvery != nil), ("--readout-every", readoutEvery != nil),
            ("--patch", model.patch != nil), ("--hidden", model.hidden != nil), ("--depth", model.depth != nil),
            ("--heads", model.heads != nil), ("--mlp-ratio", model.mlpRatio != nil),
        ]
        let refused = given.filter(\.1).map(\.0)
        guard refused.isEmpty else {
            throw InputError("--resume continues the run with its own settings; \(refused.joined(separator: ", ")) cannot change (start a new run to change \(refused.count == 1 ? "it" : "them"))")
        }
    }

    /// --steps or --epochs, checked: at most one of them.
    private func length() throws -> (steps: Int?, epochs: Int?) {
        if steps != nil, epochs != nil { throw InputError("give --steps or --epochs, not both") }
        if let steps { guard steps >= 1 else { throw InputError("--steps must be at least 1 (got \(steps))") } }
        if let epochs { guard epochs >= 1 else { throw InputError("--epochs must be at least 1 (got \(epochs))") } }
        return (steps, epochs)
    }

    /// Runs the trainer in the background, reporting progress and handling Ctrl-C.
    static func train(_ trainer: Trainer) throws {
        Interrupts.first = { trainer.send(.stop(checkpoint: true)) }
        let progress = ProgressLine()
        let outcome = Outcome()
        trainer.start { event in
            switch event {
            case .step(let r):
                // Most wanted first: a narrow terminal cuts the line from the right.
                progress.update(String(format: "%@ step %d/%d  ETA %@  loss %.5f  lr %.2e  %@/step  %.1f cells/s  epoch %d",
                                       Format.bar(r.progress(budget: trainer.config.timeBudgetSeconds)), r.step, r.totalSteps,
                                       Format.duration(r.etaSeconds), r.loss, r.learningRate, Format.seconds(r.stepSeconds),
                                       r.cellsPerSecond, r.epoch))
            case .readouts(let step, let layers):
                progress.finish()
                let text = layers.map { String(format: "layer %d: coding rate %.1f ± %.1f, sparsity %.3f", $0.layer,
                                               $0.codingRate, $0.codingRateSD, $0.sparsity) }
                FileHandle.standardError.write(Data("readouts at step \(step): \(text.joined(separator: "; "))\n".utf8))
            case .checkpointWritten(let step, let path):
                progress.finish()
                FileHandle.standardError.write(Data("checkpoint at step \(step): \(path)\n".utf8))
            case .finished(_, let reason):
                progress.finish()
                print("finished: \(reason)")
            case .failed(_, let reason):
                progress.finish()
                outcome.failure = reason
            default:
                break
            }
        }
        trainer.wait()
        if let failure = outcome.failure { throw TrainingFailure(description: failure) }
        if let signal = Interrupts.received { throw ExitCode(128 + signal) }
    }
}

/// A run that stopped on an error (not bad input): exit status 1.
struct TrainingFailure: Error, CustomStringConvertible {
    let description: String
}

private final class Outcome: @unchecked Sendable {
    var failure: String?
}

extension PredictionTarget: ExpressibleByArgument {}
extension ProductPrecision: ExpressibleByArgument {}
