import Foundation

/// Maximum-likelihood fits of the count model's negative binomials: a gene's dispersion θ
/// over cells, and a cell's factor φ on every gene's dispersion. Both maximise, by
/// golden-section search on the log of the parameter, the terms of the log-likelihood that
/// depend on the dispersion t (log(t + μ) = log t + log1p(μ/t)):
///
///     ℓ = Σ_y>0 [lgamma(y + t) − lgamma(t)] − Σ y · log t − Σ (t + y) · log1p(μ/t)
enum NegativeBinomialFit {
    /// The range of log θ searched for a gene, and of log φ for a cell.
    static let logDispersionRange = log(1e-2)...log(1e4)
    static let logFactorRange = -3.0...3.0

    /// The θ maximising the likelihood of `counts` with these means over cells, each cell's
    /// dispersion θ · `factors[c]` (all 1 when nil). With one dispersion for every cell the
    /// lgamma terms cost one per distinct count.
    static func dispersion(counts: [Double], means: [Double], factors: [Double]? = nil) -> Double {
        if let factors {
            let positive = counts.indices.filter { counts[$0] > 0 }
            return exp(maximise(over: logDispersionRange) { logTheta in
                let theta = exp(logTheta)
                var sum = 0.0
                for c in positive {
                    let t = theta * factors[c]
                    sum += lgamma(counts[c] + t) - lgamma(t) - counts[c] * log(t)
                }
                for c in counts.indices {
                    let t = theta * factors[c]
                    sum -= (t + counts[c]) * log1p(means[c] / t)
                }
                return sum
            })
        }
        // Each non-zero count with how many cells hold it, in a fixed order (sums do not
        // depend on the dictionary's per-process order).
        var multiplicity: [Double: Double] = [:]
        for y in counts where y > 0 { multiplicity[y, default: 0] += 1 }
        let distinct = multiplicity.sorted { $0.key < $1.key }
        let positive = distinct.reduce(0) { $0 + $1.value }
        let total = counts.reduce(0, +)
        return exp(maximise(over: logDispersionRange) { logTheta in
            let theta = exp(logTheta)
            var sum: Double = -positive * lgamma(theta) - total * logTheta
            for (y, cells) in distinct { let term: Double = lgamma(y + theta); sum += cells * term }
            for (y, mu) in zip(counts, means) { sum -= (theta + y) * log1p(mu / theta) }
            return sum
        })
    }

    /// The factor φ maximising the likelihood of one cell's `counts` over genes with these
    /// means, gene g's dispersion φ · θ_g.
    static func factor(counts: UnsafeBufferPointer<Float>, means: UnsafeBufferPointer<Float>, dispersion: [Float]) -> Double {
        let positive = counts.indices.filter { counts[$0] > 0 }
        return exp(maximise(over: logFactorRange) { logFactor in
            let factor = exp(logFactor)
            var sum = 0.0
            for j in positive {
                let (y, t) = (Double(counts[j]), factor * Double(dispersion[j]))
                sum += lgamma(y + t) - lgamma(t) - y * log(t)
            }
            for j in counts.indices {
                let t = factor * Double(dispersion[j])
                sum -= (t + Double(counts[j])) * log1p(Double(means[j]) / t)
            }
            return sum
        })
    }

    /// The x in `range` maximising a unimodal `f`, by 40 golden-section steps.
    static func maximise(over range: ClosedRange<Double>, _ f: (Double) -> Double) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var (low, high) = (range.lowerBound, range.upperBound)
        var (x1, x2) = (high - ratio * (high - low), low + ratio * (high - low))
        var (f1, f2) = (f(x1), f(x2))
        for _ in 0..<40 {
            if f1 < f2 {
                (low, x1, f1) = (x1, x2, f2)
                x2 = low + ratio * (high - low)
                f2 = f(x2)
            } else {
                (high, x2, f2) = (x2, x1, f1)
                x1 = high - ratio * (high - low)
                f1 = f(x1)
            }
        }
        return (low + high) / 2
    }
}
