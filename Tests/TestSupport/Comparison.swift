import Kernels

/// How far `actual` is from `expected`, relative to the expected tensor's scale:
/// max |a − e| / max(max |e|, floor). One number per tensor, as llm.c reports it.
public func relativeDifference(_ actual: [Float], _ expected: [Float], floor: Float = 1e-6) -> Float {
    precondition(actual.count == expected.count, "sizes differ: \(actual.count) vs \(expected.count)")
    var worst: Float = 0, scale: Float = floor
    for i in expected.indices {
        worst = max(worst, abs(actual[i] - expected[i]))
        scale = max(scale, abs(expected[i]))
    }
    return actual.contains(where: { !$0.isFinite }) ? .infinity : worst / scale
}

/// An array of `count` values drawn from N(0, std²) by a seeded generator.
public func randomArray(_ count: Int, std: Float = 1, generator: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in std * generator.nextNormal() }
}

extension FloatBuffer {
    /// A buffer of N(0, std²) values.
    public static func random(_ count: Int, std: Float = 1, generator: inout SeededGenerator) -> FloatBuffer {
        FloatBuffer(randomArray(count, std: std, generator: &generator))
    }
}
