import Dispatch
import Foundation

/// How many genes a cell detects at its depth. Two things set it, and one dispersion per
/// gene gives neither:
///
/// - **The cell's own complexity.** Real cells of one state at one depth still differ
///   (capture, lysis, the share of a few abundant transcripts). Each training cell gets a
///   factor φ_c on every gene's dispersion, fitted by maximum likelihood on its counts,
///   and each gene's dispersion θ_g is fitted again with those factors, in turn, twice: the
///   genes keep only the noise the factors do not explain. θ and φ are known only up to a
///   common factor; the factors keep a median of 1. A smaller φ means more overdispersion:
///   more zeros at the same means.
/// - **The sharpness of the composition.** A network's cell is smoother than a real one:
///   its composition spreads over more genes, and at a real depth it detects too many. A
///   generated cell's composition w is sharpened to w^γ (γ < 1 flattens it) until, drawn
///   at its donor's depth with its donor's factor, it detects as many genes as the donor's
///   own smooth part (E_d, in expectation); then it is drawn so.
struct CellComplexity {
    /// θ_g, fitted with each training cell's factor.
    let dispersion: [Float]
    /// Per training cell: φ_c, and E_c, the genes its means detect with its factor.
    let factors: [Float]
    let smoothDetected: [Float]

    /// Rounds of fitting the factors and the dispersions in turn.
    static let rounds = 2
    /// The range of log γ searched, and the bisection's steps (2⁻²⁰ of the range).
    static let logSharpnessRange = log(0.25)...log(4.0)
    static let bisectionSteps = 20

    /// Fitted on training cells' counts and their means under the model (both cells × genes),
    /// from each gene's dispersion fitted with every factor 1.
    init(counts: [Float], means: [Float], cells n: Int, genes g: Int, dispersion: [Float]) {
        precondition(counts.count == n * g && means.count == n * g && dispersion.count == g, "CellComplexity: shapes disagree")
        var theta = dispersion, factors = [Float](repeating: 1, count: n)
        for round in 0...Self.rounds {
            counts.withUnsafeBufferPointer { counts in
                means.withUnsafeBufferPointer { means in
                    factors.withUnsafeMutableBufferPointer { out in
                        let (counts, means, out) = (counts, means, out)   // Sendable views for the workers
                        DispatchQueue.concurrentPerform(iterations: n) { c in
                            let row = (c * g)..<((c + 1) * g)
                            out[c] = Float(NegativeBinomialFit.factor(counts: UnsafeBufferPointer(rebasing: counts[row]),
                                                                      means: UnsafeBufferPointer(rebasing: means[row]),
                                                                      dispersion: theta))
                        }
                    }
                }
            }
            let level = n > 0 ? factors.sorted()[n / 2] : 1
            for c in 0..<n { factors[c] /= level }
            guard round < Self.rounds else { break }
            let cellFactors = factors.map(Double.init)
            theta.withUnsafeMutableBufferPointer { out in
                let out = out
                DispatchQueue.concurrentPerform(iterations: g) { j in
                    let y = (0..<n).map { Double(counts[$0 * g + j]) }
                    guard y.contains(where: { $0 > 0 }) else { return }
                    out[j] = Float(NegativeBinomialFit.dispersion(counts: y, means: (0..<n).map { Double(means[$0 * g + j]) },
                                                                  factors: cellFactors))
                }
            }
        }
        self.dispersion = theta
        self.factors = factors
        smoothDetected = (0..<n).map { c in
            let factor = Double(factors[c])
            return Float((0..<g).reduce(0.0) { $0 + Self.detection(mean: Double(means[c * g + $1]), dispersion: factor * Double(theta[$1])) })
        }
    }

    /// The chance that NB(μ, θ) is non-zero: 1 − (1 + μ/θ)^−θ.
    @inline(__always)
    static func detection(mean: Double, dispersion theta: Double) -> Double {
        mean > 0 ? -expm1(-theta * log1p(mean / theta)) : 0
    }

    /// Writes into `means` the composition `weights` (each > 0) sharpened to w^γ and scaled
    /// to `total` counts, γ the power whose expected genes detected under NB(μ_g, φ θ_g) is
    /// `target`: bisection on log γ (expected genes detected fall as γ grows); a target past
    /// what the range reaches gets the range's end.
    static func sharpen(_ weights: UnsafeBufferPointer<Double>, total: Double, dispersion: [Float], factor: Double,
                        target: Double, into means: UnsafeMutableBufferPointer<Double>) {
        let logWeights = weights.map { log($0) }, largest = logWeights.max() ?? 0
        func fill(_ logSharpness: Double) {
            let power = exp(logSharpness)
            var sum = 0.0
            for j in 0..<means.count { means[j] = exp(power * (logWeights[j] - largest)); sum += means[j] }
            for j in 0..<means.count { means[j] *= total / sum }
        }
        var (low, high) = (logSharpnessRange.lowerBound, logSharpnessRange.upperBound)
        for _ in 0..<bisectionSteps {
            let middle = (low + high) / 2
            fill(middle)
            var detected = 0.0
            for j in 0..<means.count { detected += detection(mean: means[j], dispersion: factor * Double(dispersion[j])) }
            if detected >= target { low = middle } else { high = middle }
        }
        fill((low + high) / 2)
    }
}
