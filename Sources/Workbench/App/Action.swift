import Diffusion

/// What a key asks of the app beyond changing the view.
public enum Action: Sendable {
    /// Leave; write a checkpoint first when a run is active.
    case quit(checkpoint: Bool)
    case send(TrainerCommand)
    case sample(cells: Int, settings: SamplerSettings, labels: LabelRequest, guidance: Guidance)
    case evaluate
    case newRun(RunPlan, runPath: String)
    case resume(runPath: String)
    case browse(runPath: String)
    case setTheme(String)
    /// Write the HTML report of these runs (the open one, and the one picked on Compare).
    case writeReport(runPaths: [String])
}
