import Foundation
import Kernels

/// Which diffusion steps training visits. The reference draws t uniformly from 1…999. A
/// power K > 1 draws t = 1 + ⌊999·u^{1/K}⌋ (u uniform in [0, 1), capped at 999): the
/// density of t rises as t^{K−1} towards the noisy steps, where a cell's type is decided.
/// K = 2 is a linear ramp: half the draws land above t ≈ 707, against 500 uniformly.
public struct TimestepSampling: Sendable {
    /// nil or 1: uniform, with the reference's draw (and so the same random stream).
    public let power: Double?

    public init(power: Double?) { self.power = power }

    public func draw(using generator: inout SeededGenerator) -> Int {
        let last = NoiseSchedule.steps - 1
        guard let power, power != 1 else { return 1 + Int(generator.next() % UInt64(last)) }
        let u = Double(generator.next() >> 11) * 0x1p-53
        return 1 + min(last - 1, Int(Double(last) * pow(u, 1 / power)))
    }
}
