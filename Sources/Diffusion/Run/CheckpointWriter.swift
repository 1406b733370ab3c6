import Foundation
import Networks

/// Writes a run's checkpoints: the weights, then the optimiser state, then the `latest`
/// pointer, so that a crash at any point leaves `latest` naming a complete, earlier
/// checkpoint, and a write that fails (a full disk) leaves no half checkpoint behind.
struct CheckpointWriter {
    let run: RunDirectory
    let config: TrainingConfig

    /// Writes checkpoint `n` of `step`; `previous` is the run's latest checkpoint, which a
    /// failed write leaves untouched (and the error says so).
    func write(_ step: TrainingStep, at n: Int, trainingSeconds: Double, previous: Int?) throws {
        do {
            try Checkpoint.save(step.network, to: run.modelPath(step: n), extraMetadata: metadata(step: n))
            try OptimiserStateFile.write(step, checkpoint: n, threads: config.threads, trainingSeconds: trainingSeconds,
                                         to: run.optimiserPath(step: n))
        } catch {
            if n != previous {
                try? FileManager.default.removeItem(atPath: run.modelPath(step: n))
                try? FileManager.default.removeItem(atPath: run.optimiserPath(step: n))
            }
            throw TrainingError("\(error); the run's latest checkpoint is still \(previous.map { "step \($0), intact" } ?? "none")")
        }
        try run.commit(step: n, keep: config.keepCheckpoints)
    }

    /// What the weights file records beside the tensors: the step, whether the data is
    /// non-negative, the class names of a conditional run and a target other than ε.
    private func metadata(step n: Int) -> [String: String] {
        var metadata = ["step": String(n), "nonnegative": String(config.data.nonNegative)]
        if let names = config.labelNames, let json = try? JSONEncoder().encode(names) {
            metadata["label_names"] = String(decoding: json, as: UTF8.self)
        }
        if config.target != .epsilon { metadata["prediction"] = config.target.rawValue }
        // What the network's output is, when it is not cells: its run holds the basis back to genes.
        if config.data.principalBasis == true { metadata["space"] = "principal-components" }
        return metadata
    }
}
