import CellData
import Foundation
import Networks

/// How long a run's training step takes on this machine, so that a time budget can set the
/// run's length (and with it the learning-rate schedule) for the machine and the data at
/// hand: measured before the run starts on a throwaway copy of its network and cells, then
/// from the run's own pace at each checkpoint (at least every twentieth of the budget), so
/// that a busy moment while it was timed neither cuts the run short nor leaves its decay
/// unfinished when the budget runs out.
enum StepTimer {
    /// The median seconds of `measured` steps after `warmUp`, at the run's threads.
    static func medianSeconds(config: TrainingConfig, cells: TrainingCells, labels: [Int32]?,
                              warmUp: Int = 5, measured: Int = 30) throws -> Double {
        let network = DiffusionTransformer(config: config.model, seed: config.seed)
        let step = TrainingStep(config: config, cells: cells, labels: labels, network: network)
        var times: [Double] = []
        for i in 0..<(warmUp + measured) {
            let started = ProcessInfo.processInfo.systemUptime
            _ = try step.run(rate: config.learningRate.peakRate)
            if i >= warmUp { times.append(ProcessInfo.processInfo.systemUptime - started) }
        }
        return times.sorted()[times.count / 2]
    }

    /// The steps that fit `budget` seconds at `seconds` a step, keeping 5% for readouts
    /// and checkpoints.
    static func steps(budget: Double, stepSeconds seconds: Double) -> Int {
        max(1, Int((budget * 0.95 / max(seconds, 1e-6)).rounded(.down)))
    }

    /// The steps still to train after `completed` steps took `spent` of `budget` seconds, at
    /// that pace (readouts included, as the budget counts them), keeping 2% for its changes.
    static func stepsLeft(budget: Double, spent: Double, completed: Int) -> Int {
        guard completed > 0, spent > 0 else { return 0 }
        return max(0, Int((max(0, budget - spent) * 0.98 * Double(completed) / spent).rounded(.down)))
    }
}
