import Foundation

/// The learning rate at each step, as a pure function: optional linear warm-up from 0,
/// then constant or cosine decay to `minimumRate` at `totalSteps`.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public var peakRate: Double
    /// Steps of linear warm-up (0: none).
    public var warmupSteps: Int = 0
    /// Decay along a half cosine from the end of warm-up to `totalSteps`.
    public var cosineDecay = false
    public var minimumRate: Double = 0
    public var totalSteps: Int

    public init(peakRate: Double, warmupSteps: Int = 0, cosineDecay: Bool = false,
                minimumRate: Double = 0, totalSteps: Int) {
        self.peakRate = peakRate
        self.warmupSteps = warmupSteps
        self.cosineDecay = cosineDecay
        self.minimumRate = minimumRate
        self.totalSteps = totalSteps
    }

    /// The rate for step `step` (1-based: the first update is step 1).
    public func rate(at step: Int) -> Double {
        if step <= warmupSteps { return peakRate * Double(step) / Double(max(1, warmupSteps)) }
        guard cosineDecay, totalSteps > warmupSteps else { return peakRate }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return minimumRate + (peakRate - minimumRate) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
