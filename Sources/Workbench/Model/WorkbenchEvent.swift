import Analysis
import Diffusion
import Networks
import Report

/// Everything that changes what the workbench shows. The trainer's events arrive wrapped;
/// the rest come from the session's background work. Plain values only.
public enum WorkbenchEvent: Sendable {
    /// Another run is being opened at `path`: what is on screen no longer belongs to it,
    /// and a failure to open is that run's.
    case opening(path: String)
    /// A run is open: its config, its parameter count, and the real cells it holds out.
    case opened(path: String, config: TrainingConfig, parameters: Int, reference: ReferenceCells)
    /// A run's log, read back (a resumed or reopened run).
    case history(RunHistory)
    case status(RunStatus)
    case trainer(TrainerEvent)
    case samples(SampleSet)
    case map(CellMap)
    case evaluation(step: Int, [EvaluationReport.Figure])
    case runs([RunSummary])
    /// The open run's units read in genes and cell types (`inspect --units`).
    case units(RunUnits)
    /// A line for the status bar.
    case message(String, isError: Bool)
}
