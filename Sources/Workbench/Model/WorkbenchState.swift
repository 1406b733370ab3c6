import Analysis
import Diffusion
import Foundation
import Networks
import Report

/// What the screens draw, built only from events: the workbench's copy of what the run
/// reported. It holds no training state of its own and nothing that refers to the engine.
public struct WorkbenchState: Sendable {
    public var runPath: String?
    public var config: TrainingConfig?
    public var parameters = 0
    public var status = RunStatus.starting("opening")
    /// Every step's figures, oldest first.
    public var steps: [LoggedStep] = []
    /// The latest step report (seconds per step, cells per second, ETA).
    public var latest: StepReport?
    /// Per-layer readouts, oldest first.
    public var readouts: [(step: Int, layers: [LayerReadout])] = []
    public var lastCheckpoint: (step: Int, time: Date)?
    public var reference: ReferenceCells?
    public var samples: SampleSet?
    /// A sample the trainer is generating (the step it was asked at).
    public var sampling: Int?
    public var map: CellMap?
    public var evaluation: (step: Int, metrics: [EvaluationReport.Figure])?
    public var runs: [RunSummary] = []
    /// The open run's units in genes and cell types, once read.
    public var units: RunUnits?
    public var message: (text: String, isError: Bool)?

    public init() {}

    public var runName: String { runPath.map { ($0 as NSString).lastPathComponent } ?? "no run" }

    /// Applies one event.
    public mutating func apply(_ event: WorkbenchEvent, now: Date = Date()) {
        switch event {
        case .opening(let path):
            show(path, config: nil, parameters: 0, reference: nil)
        case .opened(let path, let config, let parameters, let reference):
            show(path, config: config, parameters: parameters, reference: reference)
        case .history(let history):
            steps = history.steps
            readouts = history.readouts
        case .status(let status):
            self.status = status
        case .trainer(let event):
            apply(event, now: now)
        case .samples(let set):
            samples = set
        case .map(let map):
            self.map = map
        case .evaluation(let step, let metrics):
            evaluation = (step, metrics)
            // Compare shows it at once (report.json is read again on the next refresh).
            for i in runs.indices where runs[i].name == runName { runs[i].metrics = metrics }
        case .runs(let runs):
            self.runs = runs
        case .units(let units):
            self.units = units
        case .message(let text, let isError):
            message = (text, isError)
        }
    }

    /// Puts another run on screen, forgetting everything of the one before.
    private mutating func show(_ path: String, config: TrainingConfig?, parameters: Int, reference: ReferenceCells?) {
        runPath = path
        self.config = config
        self.parameters = parameters
        self.reference = reference
        steps = []; readouts = []; latest = nil; lastCheckpoint = nil
        samples = nil; map = nil; evaluation = nil; sampling = nil; units = nil
    }

    private mutating func apply(_ event: TrainerEvent, now: Date) {
        switch event {
        case .step(let r):
            latest = r
            if let last = steps.last, last.step >= r.step { steps.removeAll { $0.step >= r.step } }
            steps.append(LoggedStep(r))
            if case .starting = status { status = .running }
        case .readouts(let step, let layers):
            readouts.removeAll { $0.step >= step }
            readouts.append((step, layers))
        case .checkpointWritten(let step, _):
            lastCheckpoint = (step, now)
        case .samplesReady(let step, let cells, _, _, _, let path):
            sampling = nil
            message = ("\(cells) cells generated at step \(step): \(path)", false)
        case .sampleFailed(let step, let reason):
            sampling = nil
            message = ("no cells at step \(step): \(reason)", true)
        case .paused:
            status = .paused
        case .resumed:
            status = .running
        case .finished(_, let reason):
            status = .finished(reason)
        case .failed(_, let reason):
            status = .failed(reason)
            message = (reason, true)
        }
    }

    /// The step reached so far.
    public var step: Int { steps.last?.step ?? 0 }
    /// The run's length as last planned (a time budget plans it again at each checkpoint).
    public var totalSteps: Int { latest?.totalSteps ?? config?.totalSteps ?? 0 }
}
