import Foundation

/// A small, fast, seedable random generator (xoshiro256**, seeded by SplitMix64).
///
/// Its whole state is four words, so a run can save and restore it exactly.
public struct SeededGenerator: RandomNumberGenerator, Equatable, Sendable {
    public var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var s = seed
        state = (Self.splitMix(&s), Self.splitMix(&s), Self.splitMix(&s), Self.splitMix(&s))
    }

    /// SplitMix64: advances `s` and returns the next well-mixed word.
    private static func splitMix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal by the Box–Muller transform (one value per call).
    public mutating func nextNormal() -> Float {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53   // (0, 1]
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Fills `count` floats with N(0, std²).
    public mutating func fillNormal(_ out: FloatPointer, count: Int, std: Float = 1) {
        for i in 0..<count { out[i] = std * nextNormal() }
    }

    /// Fills `count` floats uniformly in [−bound, bound).
    public mutating func fillUniform(_ out: FloatPointer, count: Int, bound: Float) {
        for i in 0..<count { out[i] = (2 * nextUniform() - 1) * bound }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension SeededGenerator {
    /// Fisher–Yates, from the last element down, each swap partner drawn as next() mod
    /// (i + 1): the one seeded shuffle every part of the engine uses, so that an order
    /// depends only on the generator's seed and stream.
    public mutating func shuffle<C: MutableCollection>(_ items: inout C) where C.Index == Int {
        guard items.count > 1 else { return }
        let first = items.startIndex
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(first + i, first + Int(next() % UInt64(i + 1)))
        }
    }
}
