/// The t-SNE optimiser of van der Maaten (2014) as openTSNE runs it: momentum, per-
/// coordinate gains (+0.2 when the gradient's sign disagrees with the last update, ×0.8
/// otherwise, never below 0.01), then optional clipping of each point's gradient and step.
struct GainsDescent {
    private(set) var update: [Double]
    private(set) var gains: [Double]
    static let minimumGain = 0.01

    init(count: Int) {
        update = [Double](repeating: 0, count: count)
        gains = [Double](repeating: 1, count: count)
    }

    /// Moves `positions` ([n, 2]) one step against `gradient` (which may be rescaled).
    mutating func step(_ positions: inout [Double], gradient: inout [Double], learningRate: Double, momentum: Double,
                       maximumGradientNorm: Double?, maximumStepNorm: Double?) {
        let n = positions.count / 2
        if let limit = maximumGradientNorm {
            for i in 0..<n {
                let norm = (gradient[2 * i] * gradient[2 * i] + gradient[2 * i + 1] * gradient[2 * i + 1]).squareRoot()
                let scale = limit / (norm + 1e-6)
                if scale < 1 { gradient[2 * i] *= scale; gradient[2 * i + 1] *= scale }
            }
        }
        for c in 0..<positions.count {
            let flipped = (update[c] > 0) != (gradient[c] > 0) || (update[c] == 0) != (gradient[c] == 0)
            gains[c] = flipped ? gains[c] + 0.2 : gains[c] * 0.8 + Self.minimumGain
            update[c] = momentum * update[c] - learningRate * gains[c] * gradient[c]
        }
        if let limit = maximumStepNorm {
            for i in 0..<n {
                let norm = (update[2 * i] * update[2 * i] + update[2 * i + 1] * update[2 * i + 1]).squareRoot()
                if norm > limit { update[2 * i] *= limit / norm; update[2 * i + 1] *= limit / norm }
            }
        }
        for c in 0..<positions.count { positions[c] += update[c] }
    }
}
