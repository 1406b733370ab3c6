/// The ranges a run's settings must lie in, for `TrainingConfig.checkSettings` (new runs,
/// stored runs, the workbench's form, `bench`).
public enum TrainingLimits {
    /// Cells per training step.
    public static let batch = 1...4096
    public static let threads = 1...256
    public static let weightDecay: ClosedRange<Double> = 0...1
    /// The fraction of cells trained without their label (classifier-free guidance).
    public static let labelDropout: Range<Double> = 0..<1
    /// The exponent of the timestep sampling's bias towards low noise.
    public static let timestepPower: ClosedRange<Double> = 1...10

    /// An EMA decay lies strictly between 0 and 1.
    public static func isEMADecay(_ decay: Double) -> Bool { decay > 0 && decay < 1 }
}
