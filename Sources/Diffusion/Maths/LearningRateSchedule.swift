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
    /// Where the decay stood when the run's length last changed under it (`resized`): past
    /// `step`, the decay goes on from `progress` to its end at the new `totalSteps`.
    public var anchor: Anchor?

    /// A point of the decay: at `step`, `progress` of the way from its start (0) to its end (1).
    public struct Anchor: Codable, Equatable, Sendable {
        public var step: Int
        public var progress: Double
    }

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
        return minimumRate + (peakRate - minimumRate) * 0.5 * (1 + cos(Double.pi * progress(at: step)))
    }

    /// How far the decay is at `step`: linear in the steps from the end of warm-up to the
    /// anchor, and from the anchor to `totalSteps`.
    func progress(at step: Int) -> Double {
        let start = (step: warmupSteps, progress: 0.0)
        let from = anchor.map { (step: $0.step, progress: $0.progress) } ?? start
        if step <= from.step {
            return from.progress * Double(step - start.step) / Double(max(1, from.step - start.step))
        }
        return min(1, from.progress + (1 - from.progress) * Double(step - from.step) / Double(max(1, totalSteps - from.step)))
    }

    /// The schedule for a run that, at `step`, changes its length to `totalSteps`: the same
    /// rate at `step`, and from there a decay that goes on where it stood and ends at the new
    /// length, without a jump. During warm-up the decay has not started, so only its end moves.
    public func resized(at step: Int, totalSteps newTotal: Int) -> LearningRateSchedule {
        var schedule = self
        schedule.totalSteps = newTotal
        if step > warmupSteps { schedule.anchor = Anchor(step: step, progress: progress(at: step)) }
        return schedule
    }
}
