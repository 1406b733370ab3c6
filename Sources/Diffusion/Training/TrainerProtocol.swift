import Foundation
import Networks

/// What the outside can ask a running trainer to do.
public enum TrainerCommand: Sendable, Equatable {
    case pause
    case resume
    /// Stop after the current step, writing a checkpoint first when `checkpoint` is set.
    case stop(checkpoint: Bool)
    case checkpointNow
    /// Generate `cells` cells from a snapshot of the current weights (EMA weights when asked);
    /// in a conditional run, of the types asked for, with classifier-free guidance `guidance`.
    case sampleNow(cells: Int, settings: SamplerSettings, useEMA: Bool, labels: LabelRequest = .none, guidance: Guidance = .plain)
    case setLearningRate(Double)
}

/// What a trainer reports. Every value is plain data: nothing refers to engine memory.
public enum TrainerEvent: Sendable, Equatable {
    case step(StepReport)
    case checkpointWritten(step: Int, path: String)
    /// Per-layer coding rate and sparsity on the fixed probe batch.
    case readouts(step: Int, layers: [LayerReadout])
    /// Generated cells, and the type each was asked to be (conditional runs).
    case samplesReady(step: Int, cells: Int, genes: Int, values: [Float], labels: [String]?, path: String)
    /// A sample asked for could not be made (cells that are not finite, a file that cannot
    /// be written); training goes on.
    case sampleFailed(step: Int, reason: String)
    case paused(step: Int)
    case resumed(step: Int)
    /// The run ended normally: all steps done, or stopped on request.
    case finished(step: Int, reason: String)
    /// The run stopped on an error; the last good checkpoint is kept.
    case failed(step: Int, reason: String)
}

/// The figures of one training step.
public struct StepReport: Sendable, Equatable, Codable {
    public var step: Int
    /// The run's length as planned at this step (a time budget plans it again at each checkpoint).
    public var totalSteps: Int
    public var epoch: Int
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Double
    public var stepSeconds: Double
    public var cellsPerSecond: Double
    /// Estimated seconds to the last step at the recent pace.
    public var etaSeconds: Double
    /// The process's peak resident memory so far.
    public var peakMemoryMiB: Double
    /// Seconds of training spent so far (what a time budget counts).
    public var trainingSeconds: Double

    public init(step: Int, totalSteps: Int, epoch: Int, loss: Double, learningRate: Double, gradientNorm: Double, stepSeconds: Double,
                cellsPerSecond: Double, etaSeconds: Double, peakMemoryMiB: Double = 0, trainingSeconds: Double = 0) {
        self.step = step
        self.totalSteps = totalSteps
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.stepSeconds = stepSeconds
        self.cellsPerSecond = cellsPerSecond
        self.etaSeconds = etaSeconds
        self.peakMemoryMiB = peakMemoryMiB
        self.trainingSeconds = trainingSeconds
    }

    /// How far the run is: the larger of the steps done and the time budget spent.
    public func progress(budget: Double?) -> Double {
        let steps = Double(step) / Double(max(1, totalSteps))
        guard let budget, budget > 0 else { return steps }
        return min(1, max(steps, trainingSeconds / budget))
    }

    /// The peak resident memory of this process, in MiB.
    public static func peakMemory() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
