import CellData
import Foundation
import Networks

/// How long a run's training step takes on this machine, measured before the run starts
/// on a throwaway copy of its network and cells, so that a time budget can fix the run's
/// length (and with it the learning-rate schedule) for the machine and the data at hand.
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
}
