/// One step's line of a run's log, `{"step","epoch","loss","lr","grad_norm","step_seconds","peak_mib"}`:
/// what `MetricsLog` writes, `RunHistory` reads back and the workbench plots (a log
/// written before peak memory was recorded has no `peak_mib`).
public struct LoggedStep: Sendable, Equatable, Codable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Double
    public var stepSeconds: Double
    public var peakMemoryMiB: Double?

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, learningRate = "lr", gradientNorm = "grad_norm", stepSeconds = "step_seconds",
             peakMemoryMiB = "peak_mib"
    }

    /// The figures of a live step report that the log keeps.
    public init(_ r: StepReport) {
        (step, epoch, loss, learningRate) = (r.step, r.epoch, r.loss, r.learningRate)
        (gradientNorm, stepSeconds, peakMemoryMiB) = (r.gradientNorm, r.stepSeconds, r.peakMemoryMiB)
    }
}
