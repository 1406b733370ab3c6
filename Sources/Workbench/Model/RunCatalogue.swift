import Analysis
import Diffusion
import Foundation
import Storage
import Networks

/// The runs in a folder (`runs/`), summarised for the Compare screen from what each run
/// directory holds: config.json, metrics.jsonl and report.json.
public enum RunCatalogue {
    /// Every readable run in `folder`, by name. Folders that are not runs are skipped.
    public static func summaries(in folder: String) -> [RunSummary] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { try? summary(of: folder + "/" + $0) }
    }

    public static func summary(of path: String) throws -> RunSummary {
        let (run, config) = try RunDirectory.open(path)
        let history = try RunHistory(contentsOf: run.metricsPath)
        let timed = history.steps.map(\.stepSeconds).filter(\.isFinite)
        let seconds = timed.isEmpty ? nil : Percentile.median(timed)
        let stride = max(1, history.steps.count / 300)
        let losses = history.steps.enumerated().filter { $0.offset % stride == 0 }.map { (step: $0.element.step, loss: $0.element.loss) }
        let m = config.model
        var summary = RunSummary(
            name: (path as NSString).lastPathComponent, architecture: m.architecture.rawValue,
            shape: "\(m.hiddenSize)/\(m.depth)/\(m.heads)", parameters: ParameterLayout(config: m).trainableCount,
            stepsDone: history.steps.last?.step ?? 0, totalSteps: config.totalSteps, secondsPerStep: seconds,
            cellsPerSecond: seconds.map { Double(config.batch) / $0 },
            peakMemoryMiB: history.steps.compactMap(\.peakMemoryMiB).max(),
            bestLoss: history.steps.map(\.loss).filter(\.isFinite).min(), losses: losses, metrics: [])
        if let report = EvaluationReport.read(EvaluationReport.path(inRun: path)) {
            summary.metrics = report.figures
            summary.perType = (report.perLabel ?? []).map { ($0.label, $0.accuracy, $0.accuracyFloor) }
        }
        return summary
    }

    /// `folder/name-N` for the first N from 1 that is not taken.
    public static func freshPath(in folder: String, name: String) -> String {
        var n = 1
        while FileManager.default.fileExists(atPath: "\(folder)/\(name)-\(n)") { n += 1 }
        return "\(folder)/\(name)-\(n)"
    }
}
