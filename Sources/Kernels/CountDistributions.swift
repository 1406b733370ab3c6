import Foundation

/// Draws from the distributions of counts, in Double: gamma, Poisson and the negative
/// binomial as their mixture. Each is exact (no normal approximation), so the zeros and
/// the tail of a drawn gene are those of the distribution itself.
extension SeededGenerator {
    /// Uniform in (0, 1) with 53 random bits.
    mutating func nextOpenUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// Standard normal (Box–Muller, one value per call), in Double.
    mutating func nextStandardNormal() -> Double {
        (-2 * log(nextOpenUnit())).squareRoot() * cos(2 * Double.pi * nextOpenUnit())
    }

    /// Gamma(shape, scale) by Marsaglia and Tsang's squeeze method; shape < 1 is boosted
    /// to shape + 1 and scaled back by U^(1/shape).
    public mutating func nextGamma(shape: Double, scale: Double) -> Double {
        precondition(shape > 0 && scale >= 0, "nextGamma: shape \(shape), scale \(scale)")
        if shape < 1 { return nextGamma(shape: shape + 1, scale: scale) * pow(nextOpenUnit(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextStandardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUnit()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v * scale }
        }
    }

    /// Poisson(mean): by multiplying uniforms below mean 10, otherwise by Hörmann's
    /// transformed rejection with squeeze (PTRS, 1993).
    public mutating func nextPoisson(mean: Double) -> Int {
        precondition(mean >= 0 && mean.isFinite, "nextPoisson: mean \(mean)")
        if mean == 0 { return 0 }
        if mean < 10 {
            let limit = exp(-mean)
            var k = 0, product = nextOpenUnit()
            while product > limit { k += 1; product *= nextOpenUnit() }
            return k
        }
        let root = mean.squareRoot(), logMean = log(mean)
        let b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextOpenUnit() - 0.5, v = nextOpenUnit()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -mean + k * logMean - lgamma(k + 1) { return Int(k) }
        }
    }

    /// Binomial(trials, ½): how many of `trials` fair coins come up heads, exactly (a
    /// population count of random bits, 64 coins a word).
    public mutating func nextHalfBinomial(_ trials: Int) -> Int {
        precondition(trials >= 0, "nextHalfBinomial: \(trials) trials")
        var heads = 0, left = trials
        while left >= 64 { heads += next().nonzeroBitCount; left -= 64 }
        if left > 0 { heads += (next() & ((1 << UInt64(left)) - 1)).nonzeroBitCount }
        return heads
    }

    /// Negative binomial with this mean and dispersion θ (variance mean + mean²/θ), drawn
    /// as Poisson(λ) with λ ~ Gamma(θ, mean/θ).
    public mutating func nextNegativeBinomial(mean: Double, dispersion theta: Double) -> Int {
        guard mean > 0 else { return 0 }
        return nextPoisson(mean: nextGamma(shape: theta, scale: mean / theta))
    }
}
