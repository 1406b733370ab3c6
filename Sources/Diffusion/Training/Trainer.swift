import CellData
import Foundation
import Kernels
import Networks
import Storage

/// Trains a network in its own thread. The outside talks to it only through commands
/// (`send`) and events (the `onEvent` callback, called on the trainer's thread with plain
/// values). It is the only writer of its run directory.
public final class Trainer: @unchecked Sendable {
    /// The run's configuration. Only its length and schedule change while it trains, when a
    /// time budget set them (`replan`); any thread may read it.
    public var config: TrainingConfig { configLock.withLock { current } }
    private var current: TrainingConfig
    private let configLock = NSLock()
    public let run: RunDirectory
    /// The principal basis the network works in (`--pca-basis`), or nil.
    public let basis: PrincipalBasis?
    /// Steps completed so far.
    public private(set) var completedSteps: Int
    private let step: TrainingStep
    private let commands = TrainerCommandQueue()
    private var learningRateOverride: Double?
    private var lastCheckpoint: Int?
    private var recentStepSeconds: Double?
    /// Seconds of training so far, over every session of this run (what a time budget counts).
    private var trainingSeconds = 0.0
    /// `trainingSeconds` at the last checkpoint written or resumed from.
    private var secondsAtCheckpoint = 0.0
    private var metrics: MetricsLog?
    private let finished = DispatchSemaphore(value: 0)
    /// This trainer's hold on its run directory, given up when it ends.
    private var lock: RunLock?

    private init(config: TrainingConfig, run: RunDirectory, data: TrainingCells, labels: [Int32]?, network: DiffusionTransformer,
                 completedSteps: Int, basis: PrincipalBasis?) {
        self.current = config
        self.run = run
        self.basis = basis
        self.completedSteps = completedSteps
        // The run's thread count is part of what makes it exact: the step's scratch and the
        // order of its sums depend on it, so the trainer applies it before building the step.
        Threads.configure(config.threads)
        step = TrainingStep(config: config, cells: data, labels: labels, network: network)
    }

    /// A new run in a new run directory, from the reference initialisation, on the cells
    /// `trainCells` of `source` (all of them when nil), read whole or streamed as
    /// `config.data.streaming` says; `split` records which cells of the source they are.
    /// With a `basis`, the network trains on the cells' principal-component scores: the
    /// basis is saved in the run, `config.data` says so, and the network is as wide as the
    /// basis has components (what `RunPlan` already configured).
    public static func start(config: TrainingConfig, source: CellSource, trainCells: [Int]? = nil, labels: [String]? = nil,
                             runPath: String, split: HeldOutSplit? = nil, basis: PrincipalBasis? = nil) throws -> Trainer {
        var config = config
        config.data.principalBasis = basis.map { _ in true }
        config.data.principalComponents = basis.map(\.components)
        if let basis {
            config.model.inputWidth = basis.components
            try config.model.validate()
        }
        let data = try makeTrainingCells(config, source, trainCells: trainCells ?? Array(0..<source.cells), basis: basis)
        try validate(config, data)
        let classes = try classIndices(config, labels, cells: data.count)
        try Folder.create(runPath)
        let lock = try RunLock.acquire(RunDirectory(path: runPath))   // before anything in the run is read or written
        let run = try RunDirectory.create(at: runPath, config: config)
        if let split { try run.writeSplit(split) }
        if let basis { try basis.write(npy: run.basisPath) }
        let network = DiffusionTransformer(config: config.model, seed: config.seed)
        let trainer = Trainer(config: config, run: run, data: data, labels: classes, network: network, completedSteps: 0, basis: basis)
        trainer.lock = lock
        return trainer
    }

    /// Continues a run from its latest checkpoint, exactly where that checkpoint left it, on
    /// the cells `trainCells` of `source` (all of them when nil) that it was started on.
    /// `totalSteps`, when given, extends or shortens the run.
    public static func resume(runPath: String, source: CellSource, trainCells: [Int]? = nil, labels: [String]? = nil,
                              totalSteps: Int? = nil) throws -> Trainer {
        let (run, saved) = try RunDirectory.open(runPath)
        let latest = try run.resumableStep()
        var config = saved
        let basis = try run.basis(config)
        let data = try makeTrainingCells(config, source, trainCells: trainCells ?? Array(0..<source.cells), basis: basis)
        try validate(config, data)
        let classes = try classIndices(config, labels, cells: data.count)
        if let totalSteps, totalSteps <= latest {
            throw TrainingError("\(runPath) is already at step \(latest): a length of \(totalSteps) steps leaves nothing to train (give more than \(latest))")
        }
        if totalSteps == nil, config.totalSteps <= latest {
            throw TrainingError("\(runPath) has finished its \(config.totalSteps) steps: give a longer length (--steps more than \(latest)) to train it further")
        }
        let lock = try RunLock.acquire(run)
        if let totalSteps, totalSteps != config.totalSteps {
            config.totalSteps = totalSteps
            config.learningRate.totalSteps = totalSteps
            config.lengthChoice = nil   // the length given replaces the budget's plan
            try run.writeConfig(config)
        }
        let network = try Checkpoint.load(run.modelPath(step: latest))
        guard network.config == config.model else {
            throw TrainingError("\(run.modelPath(step: latest)) does not match the model in \(run.configPath)")
        }
        let trainer = Trainer(config: config, run: run, data: data, labels: classes, network: network, completedSteps: latest,
                              basis: basis)
        trainer.trainingSeconds = try OptimiserStateFile.restore(trainer.step, from: run.optimiserPath(step: latest))
        trainer.secondsAtCheckpoint = trainer.trainingSeconds
        trainer.lastCheckpoint = latest
        trainer.lock = lock
        try trainer.replan()   // as the run did (or was about to) when it wrote this checkpoint
        try MetricsLog.truncate(run.metricsPath, after: latest)
        return trainer
    }

    /// Each cell's class in each label attribute of a conditional run, [cells, A].
    private static func classIndices(_ config: TrainingConfig, _ labels: [String]?, cells: Int) throws -> [Int32]? {
        guard let attributes = config.labelAttributes else { return nil }
        guard let labels, labels.count == cells else {
            throw TrainingError("a conditional run needs a label for each of its \(cells) cells (column \(attributes.key))")
        }
        return try attributes.codes(of: labels)
    }

    private static func validate(_ config: TrainingConfig, _ data: TrainingCells) throws {
        guard data.genes == config.model.inputWidth else {
            throw TrainingError("the data has \(data.genes) genes per cell but the model expects \(config.model.inputWidth)")
        }
        guard data.count >= config.batch else {
            throw TrainingError("the data has \(data.count) cells, fewer than one batch of \(config.batch)")
        }
        if let problem = ProductPrecision.problem(running: config.precision) { throw TrainingError("cannot continue this run here: \(problem)") }
    }


    // MARK: - Running

    /// Sends a command; it takes effect between steps.
    public func send(_ command: TrainerCommand) { commands.push(command) }

    /// Starts training on a background thread.
    public func start(onEvent: @escaping @Sendable (TrainerEvent) -> Void) {
        let thread = Thread { [self] in
            runLoop(onEvent: onEvent)
            finished.signal()
        }
        thread.name = "wbdit-trainer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Blocks until the background run ends.
    public func wait() { finished.wait() }

    /// Trains on the calling thread until the run ends, then gives up the run's lock.
    public func runLoop(onEvent: (TrainerEvent) -> Void) {
        defer { lock?.release() }
        do {
            metrics = try MetricsLog(path: run.metricsPath)
            defer { metrics = nil }
            while completedSteps < current.totalSteps {
                if try handleCommands(onEvent) { return }
                let rate = learningRateOverride ?? current.learningRate.rate(at: completedSteps + 1)
                let started = DispatchTime.now().uptimeNanoseconds
                guard try step.run(rate: rate) else {
                    onEvent(.failed(step: completedSteps + 1, reason: "the loss became \(step.loss) at step \(completedSteps + 1); the last good checkpoint is \(lastCheckpoint.map { "step \($0)" } ?? "none")"))
                    return
                }
                completedSteps += 1
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                let report = makeReport(seconds: seconds, rate: rate, spent: trainingSeconds + seconds)
                try metrics?.append(report)
                onEvent(.step(report))
                if completedSteps % current.readoutEvery == 0 || completedSteps == 1 {
                    let layers = try step.probeReadouts()
                    try metrics?.append(step: completedSteps, layers)
                    onEvent(.readouts(step: completedSteps, layers: layers))
                }
                trainingSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                let budgetSpent = current.timeBudgetSeconds.map { trainingSeconds >= $0 } ?? false
                if completedSteps % current.checkpointEvery == 0 || completedSteps == current.totalSteps || budgetSpent || planDue {
                    try writeCheckpoint(onEvent)
                }
                if budgetSpent, let budget = current.timeBudgetSeconds {
                    onEvent(.finished(step: completedSteps, reason: String(format: "time budget of %g s spent at step %d", budget, completedSteps)))
                    return
                }
            }
            onEvent(.finished(step: completedSteps, reason: "completed \(current.totalSteps) steps"))
        } catch {
            onEvent(.failed(step: completedSteps, reason: "\(error)"))
        }
    }

    /// Applies pending commands; blocks while paused. Returns true when the run should end.
    private func handleCommands(_ onEvent: (TrainerEvent) -> Void) throws -> Bool {
        var paused = false
        while true {
            guard let command = paused ? commands.waitForNext() : commands.pop() else { return false }
            switch command {
            case .pause:
                if !paused { onEvent(.paused(step: completedSteps)) }
                paused = true
            case .resume:
                if paused { onEvent(.resumed(step: completedSteps)) }
                paused = false
            case .stop(let checkpoint):
                if checkpoint && lastCheckpoint != completedSteps && completedSteps > 0 { try writeCheckpoint(onEvent) }
                onEvent(.finished(step: completedSteps, reason: "stopped at step \(completedSteps)"))
                return true
            case .checkpointNow:
                if completedSteps > 0 { try writeCheckpoint(onEvent) }
            case .setLearningRate(let rate):
                learningRateOverride = rate
            case .sampleNow(let cells, let settings, let useEMA, let labels, let guidance):
                do { try sample(cells: cells, settings: settings, useEMA: useEMA, labels: labels, guidance: guidance, onEvent) } catch {
                    onEvent(.sampleFailed(step: completedSteps, reason: "\(error)"))
                }
            }
        }
    }

    private func makeReport(seconds: Double, rate: Double, spent: Double) -> StepReport {
        recentStepSeconds = recentStepSeconds.map { 0.9 * $0 + 0.1 * seconds } ?? seconds
        var eta = recentStepSeconds! * Double(current.totalSteps - completedSteps)
        if let budget = current.timeBudgetSeconds { eta = max(0, min(eta, budget - spent)) }
        return StepReport(step: completedSteps, totalSteps: current.totalSteps, epoch: step.epoch, loss: step.loss, learningRate: rate,
                          gradientNorm: step.gradientNorm, stepSeconds: seconds,
                          cellsPerSecond: Double(current.batch) / seconds, etaSeconds: eta,
                          peakMemoryMiB: StepReport.peakMemory(), trainingSeconds: spent)
    }

    // MARK: - Checkpoints and samples

    /// Writes a checkpoint, then plans the rest of the run from it (`replan`).
    private func writeCheckpoint(_ onEvent: (TrainerEvent) -> Void) throws {
        try CheckpointWriter(run: run, config: current)
            .write(step, at: completedSteps, trainingSeconds: trainingSeconds, previous: lastCheckpoint)
        (lastCheckpoint, secondsAtCheckpoint) = (completedSteps, trainingSeconds)
        onEvent(.checkpointWritten(step: completedSteps, path: run.modelPath(step: completedSteps)))
        try replan()
    }

    /// Whether a run whose length follows its budget has trained a twentieth of the budget
    /// since its last checkpoint: it then writes one, and plans again from it, however long
    /// (or short) the run was planned to be.
    private var planDue: Bool {
        guard current.lengthFollowsBudget, let budget = current.timeBudgetSeconds else { return false }
        return trainingSeconds - secondsAtCheckpoint >= budget / 20
    }

    /// When the time budget chose the run's length, chooses it again from the pace of all
    /// the steps so far: the steps left in the budget at that pace, the decay resized to end
    /// there (`LearningRateSchedule.resized`), written to the run's configuration. It depends
    /// only on what a checkpoint holds (its step, the training seconds, the configuration
    /// it was written under), and planning again at the same checkpoint changes nothing, so
    /// a run resumed from a checkpoint goes on as it would have.
    private func replan() throws {
        guard current.lengthFollowsBudget, let budget = current.timeBudgetSeconds, completedSteps > 0 else { return }
        let total = completedSteps + StepTimer.stepsLeft(budget: budget, spent: trainingSeconds, completed: completedSteps)
        guard total > completedSteps, total != current.totalSteps else { return }
        var revised = current
        revised.learningRate = current.learningRate.resized(at: completedSteps, totalSteps: total)
        revised.totalSteps = total
        revised.lengthChoice = String(format: "%d steps: %.0f s of budget at %.2f ms a step, the pace of its first %d steps (planned again every twentieth of the budget)",
                                      total, budget, trainingSeconds / Double(completedSteps) * 1000, completedSteps)
        try run.writeConfig(revised)
        configLock.withLock { current = revised }
    }

    private func sample(cells: Int, settings: SamplerSettings, useEMA: Bool, labels request: LabelRequest, guidance: Guidance,
                        _ onEvent: (TrainerEvent) -> Void) throws {
        let (generated, labels) = try SnapshotSampler(config: config, basis: basis)
            .generate(from: step, cells: cells, settings: settings, useEMA: useEMA, labels: request, guidance: guidance)
        let path = run.samplesPath + "/step-\(completedSteps).npy"
        try generated.write(npy: path)
        onEvent(.samplesReady(step: completedSteps, cells: cells, genes: generated.genes, values: generated.values,
                              labels: labels, path: path))
    }
}
