import CellData
import Diffusion
import Foundation
import Storage
import Networks
import Report
import TextUI

/// The workbench's link to a run: it starts, resumes or reopens one, passes the user's
/// commands to its trainer, turns the trainer's events into workbench events, and runs
/// the cell analysis beside it. The screens see only the events it posts.
public final class Session: @unchecked Sendable {
    public let inbox = Inbox()
    /// Where new runs go and where Compare looks.
    public let runsFolder: String
    private let lock = NSLock()
    private var trainer: Trainer?
    private var analysis: CellAnalysis?
    private var runPath: String?
    private var latestSamples: SampleSet?
    private var lastAutoSample: Int?
    private var sampleCells = 200

    /// Generated cells are sampled automatically at a checkpoint this many steps after the
    /// last sample, and at least a tenth of the run after it.
    public var autoSampleEvery = 1000
    public var autoSampleSettings = SamplerSettings(steps: 50)

    public init(runsFolder: String) { self.runsFolder = runsFolder }

    // MARK: - Opening runs

    /// Starts a new run in the background; events report progress or the reason it failed.
    public func start(_ plan: RunPlan, runPath: String) {
        open(runPath, status: "reading \((plan.dataPath as NSString).lastPathComponent)") { [self] in
            let started = try plan.start(runPath: runPath)
            attach(started, runPath: runPath, history: nil)
        }
    }

    /// Continues a run from its latest checkpoint.
    public func resume(runPath: String) {
        open(runPath, status: "resuming \((runPath as NSString).lastPathComponent)") { [self] in
            let started = try RunPlan.resume(runPath: runPath)
            attach(started, runPath: runPath, history: try RunHistory(contentsOf: started.trainer.run.metricsPath))
        }
    }

    /// Reopens a run read-only: its log, its held-out cells and its latest generated cells.
    public func browse(runPath: String) {
        open(runPath, status: "opening \((runPath as NSString).lastPathComponent)") { [self] in
            let trained = try TrainedRun(path: runPath) { [self] note in self.post(.message(note, isError: false)) }
            let (run, config) = (trained.directory, trained.config)
            let comparison = try trained.evaluationCells()
            let reference = Self.reference(comparison, trained.cells, trained.split)
            post(.opened(path: runPath, config: config, parameters: ParameterLayout(config: config.model).trainableCount,
                         reference: reference))
            post(.history(try RunHistory(contentsOf: run.metricsPath)))
            post(.status(.browsing))
            let countModel = trained.countModel
            let analysis = startAnalysis(reference, comparison, config) { countModel }
            analysis.readUnits(ofRunAt: runPath)
            if let samples = try Self.latestSamples(run, genes: config.data.genes) {
                lock.withLock { latestSamples = samples }
                analysis.analyse(samples)
            }
            lock.withLock { self.runPath = runPath }
            if let holder = RunLock.holder(of: run), !RunLock.isStale(holder) {
                post(.message("\(runPath) is being trained by \(holder.description): following it live", isError: false))
                follow(run, genes: config.data.genes, analysis: analysis)
            }
        }
    }

    /// Follows a run another process trains (it holds the run's lock): its log and new
    /// samples, every two seconds, until the lock goes or another run opens.
    private func follow(_ run: RunDirectory, genes: Int, analysis: CellAnalysis) {
        var shownStep = lock.withLock { latestSamples?.step }
        var shownCheckpoint = try? run.latestStep()
        while lock.withLock({ runPath == run.path && trainer == nil }) {
            Thread.sleep(forTimeInterval: 2)
            if let history = try? RunHistory(contentsOf: run.metricsPath) { post(.history(history)) }
            if let checkpoint = try? run.latestStep(), checkpoint != shownCheckpoint {
                shownCheckpoint = checkpoint
                refreshRuns()
            }
            if let samples = try? Self.latestSamples(run, genes: genes), samples.step != shownStep {
                shownStep = samples.step
                lock.withLock { latestSamples = samples }
                analysis.analyse(samples)
            }
            guard let holder = RunLock.holder(of: run), !RunLock.isStale(holder) else {
                post(.message("\(run.path): its trainer has stopped", isError: false))
                return
            }
        }
    }

    private func open(_ runPath: String, status: String, _ work: @escaping @Sendable () throws -> Void) {
        post(.opening(path: runPath))
        post(.status(.starting(status)))
        Thread.detachNewThread { [self] in
            do { try work() } catch {
                post(.status(.failed("\(error)")))
                post(.message("\(error)", isError: true))
            }
            refreshRuns()
        }
    }

    private func attach(_ started: RunPlan.Started, runPath: String, history: RunHistory?) {
        let config = started.trainer.config
        guard let comparison = try? EvaluationCells(started.cells, split: started.split, geneScale: config.data.geneScale) else {
            post(.message("cannot read the held-out cells of \(config.data.path)", isError: true))
            return
        }
        var reference = Self.reference(comparison, started.cells, started.split)
        if reference.count == 0 { reference.labels = nil }
        post(.opened(path: runPath, config: config, parameters: ParameterLayout(config: config.model).trainableCount,
                     reference: reference))
        if let history { post(.history(history)) }
        let kept = started.trainer.run.countModelPath
        let analysis = startAnalysis(reference, comparison, config) {
            try? CountModel(contentsOf: kept, genes: config.data.genes)   // none when the data held no counts
        }
        lock.withLock {
            trainer = started.trainer
            self.runPath = runPath
            sampleCells = max(2, min(200, reference.count))
            lastAutoSample = nil
            latestSamples = nil
        }
        post(.status(.running))
        started.trainer.start { [weak self] event in self?.handle(event, analysis: analysis) }
    }

    private func startAnalysis(_ reference: ReferenceCells, _ comparison: EvaluationCells, _ config: TrainingConfig,
                               countModel: @escaping @Sendable () -> CountModel?) -> CellAnalysis {
        let analysis = CellAnalysis(reference: reference, comparison: comparison, logNormalised: config.data.preprocessing.contains { $0.hasPrefix("log1p") },
                                    inbox: inbox, countModel: countModel)
        lock.withLock {
            self.analysis?.cancel()
            self.analysis = analysis
        }
        analysis.buildMap()
        return analysis
    }

    /// The held-out cells as the screen shows them.
    static func reference(_ comparison: EvaluationCells, _ prepared: CellSource, _ split: HeldOutSplit) -> ReferenceCells {
        let cells = comparison.heldOut
        let names = prepared.geneNames ?? (0..<cells.genes).map { "gene \($0)" }
        var reference = ReferenceCells(values: cells.values, genes: cells.genes, geneNames: names, labels: comparison.heldOutLabels,
                                       labelColumn: split.stratifiedBy)
        for label in prepared.labels ?? [] { reference.typeCounts[label, default: 0] += 1 }
        reference.heldOutTotal = split.heldOutCells.count
        return reference
    }

    /// The newest `samples/step-N.npy` of a run.
    static func latestSamples(_ run: RunDirectory, genes: Int) throws -> SampleSet? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: run.samplesPath)) ?? []
        let steps = files.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".npy") else { return nil }
            return Int(name.dropFirst(5).dropLast(4))
        }
        guard let step = steps.max() else { return nil }
        let path = run.samplesPath + "/step-\(step).npy"
        let m = try CellMatrix.load(npy: path)
        guard m.genes == genes else { return nil }
        return SampleSet(step: step, genes: m.genes, values: m.values, cells: [], path: path)
    }

    // MARK: - Trainer events

    private func handle(_ event: TrainerEvent, analysis: CellAnalysis) {
        post(.trainer(event))
        switch event {
        case .samplesReady(let step, _, let genes, let values, let labels, let path):
            let samples = SampleSet(step: step, genes: genes, values: values, cells: [], path: path, requested: labels)
            lock.withLock { latestSamples = samples }
            analysis.analyse(samples)
        case .checkpointWritten(let step, _):
            let due: Bool = lock.withLock {
                // At least a tenth of the run apart, so that long runs of fast steps still mostly train.
                let every = max(autoSampleEvery, (trainer?.config.totalSteps ?? 0) / 10)
                guard lastAutoSample.map({ step - $0 >= every }) ?? true else { return false }
                lastAutoSample = step
                return true
            }
            let conditional = lock.withLock { trainer?.config.labelNames != nil }
            if due {
                sample(cells: nil, settings: autoSampleSettings, labels: conditional ? .trainingMix : .none)
                if let path = lock.withLock({ runPath }) { analysis.readUnits(ofRunAt: path) }   // the Layers screen's units, as the run learns
            }
            refreshRuns()   // the Compare screen shows the run's progress
        case .finished, .failed:
            refreshRuns()
        default:
            break
        }
    }

    // MARK: - Commands

    /// Writes the HTML report of `runPaths` into the runs folder, in the background, and
    /// says where it went.
    public func writeReport(_ runPaths: [String], theme: Theme) {
        post(.message("writing the report of \(runPaths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))…", isError: false))
        Thread.detachNewThread { [self] in
            do {
                let reports = try runPaths.map { try RunReport(run: $0) }
                let name = reports.map(\.name).joined(separator: "-vs-")
                let path = runsFolder + "/report-\(name).html"
                try AtomicFile.write(Data(HTMLReport(runs: reports, theme: theme).html.utf8), to: path)
                post(.message("wrote \(path)", isError: false))
            } catch {
                post(.message("report: \(error)", isError: true))
            }
        }
    }

    public func send(_ command: TrainerCommand) {
        lock.withLock { trainer }?.send(command)
    }

    /// Asks the trainer for generated cells (`cells` nil: as many as the map can show well).
    /// In a conditional run, `labels` says which types, with classifier-free guidance `guidance`.
    public func sample(cells: Int?, settings: SamplerSettings, labels: LabelRequest = .none, guidance: Guidance = .plain) {
        let (trainer, count) = lock.withLock { (self.trainer, cells ?? sampleCells) }
        guard let trainer else {
            post(.message("no training run to sample from (r resumes one, n starts one)", isError: true))
            return
        }
        let types: String
        switch labels {
        case .none: types = ""
        case .one(let name): types = " of type \(name), guidance \(guidance),"
        case .trainingMix: types = " in the training mix of types, guidance \(guidance),"
        }
        post(.message("generating \(count) cells\(types) (\(settings.method.rawValue), \(settings.steps) steps); training waits meanwhile", isError: false))
        let useEMA = trainer.config.emaDecay != nil
        trainer.send(.sampleNow(cells: count, settings: settings, useEMA: useEMA, labels: labels, guidance: guidance))
    }

    /// Evaluates the latest generated cells against the held-out cells.
    public func evaluate() {
        let (samples, analysis, path) = lock.withLock { (latestSamples, self.analysis, runPath) }
        guard let analysis else { post(.message("no run open", isError: true)); return }
        guard let samples else {
            post(.message("no generated cells to evaluate yet: press s to sample", isError: true))
            return
        }
        analysis.evaluate(samples, runPath: path)
        Thread.detachNewThread { [self] in
            Thread.sleep(forTimeInterval: 0.5)
            refreshRuns()
        }
    }

    /// Re-reads the runs folder for the Compare screen.
    public func refreshRuns() {
        post(.runs(RunCatalogue.summaries(in: runsFolder)))
    }

    /// Whether a trainer is attached and has not ended.
    public var hasTrainer: Bool { lock.withLock { trainer != nil } }

    /// Stops the trainer (writing a checkpoint when asked) and waits for it to end.
    public func close(checkpoint: Bool) {
        let (trainer, analysis) = lock.withLock { (self.trainer, self.analysis) }
        analysis?.cancel()
        if let trainer {
            trainer.send(.resume)
            trainer.send(.stop(checkpoint: checkpoint))
            trainer.wait()
        }
        lock.withLock {
            self.trainer = nil
            self.analysis = nil
        }
    }

    private func post(_ event: WorkbenchEvent) { inbox.post(event) }
}
