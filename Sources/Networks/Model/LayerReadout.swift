import Foundation
import Kernels

/// What one layer does to a batch of cells, measured as CRATE does (spec, last section):
/// the compression term R^c of its per-head token projections, and the sparsity of its
/// feed-forward output.
public struct LayerReadout: Equatable, Sendable, Codable {
    public var layer: Int
    /// R^c = Σ_h R(Z_h) with unit-length tokens and ε² = 0.01: mean over the cells.
    public var codingRate: Double
    /// Its standard deviation over the cells.
    public var codingRateSD: Double
    /// White-box: the fraction of exact zeros in the ISTA output. DiT: the fraction of
    /// post-GELU hidden values with |h| ≤ `LayerReadout.ditThreshold` (exact zeros are rare there).
    public var sparsity: Double

    public init(layer: Int, codingRate: Double, codingRateSD: Double, sparsity: Double) {
        self.layer = layer
        self.codingRate = codingRate
        self.codingRateSD = codingRateSD
        self.sparsity = sparsity
    }

    /// The DiT sparsity threshold.
    public static let ditThreshold: Float = 1e-2
    /// CRATE's precision ε².
    public static let epsilonSquared = 0.01

    /// The largest R^c possible for N unit tokens of width p in each of H heads:
    /// H·(r/2)·ln(1 + p/(r ε²)) with r = min(N, p). The eigenvalues of p/(N ε²)·ZᵀZ sum
    /// to p/ε² (its trace, with unit tokens) over at most r non-zero ones, and Σ ln(1 + λ_i)
    /// is largest when they are equal; for N ≥ p this is CRATE's (H·p/2)·ln(1 + 1/ε²).
    public static func codingRateCeiling(heads: Int, headWidth p: Int, tokens n: Int) -> Double {
        let r = Double(min(n, p))
        return Double(heads) * r / 2 * log(1 + Double(p) / (r * epsilonSquared))
    }

    /// R(Z) = ½ logdet(I_N + p/(N ε²) Z Zᵀ) for N tokens of width p (rows of `z`, leading
    /// dimension `ld`), each scaled to unit length; computed as ½ logdet(I_p + p/(N ε²) ZᵀZ).
    public static func codingRate(_ z: ConstFloatPointer, tokens n: Int, width p: Int, ld: Int) -> Double {
        var gram = [Double](repeating: 0, count: p * p)
        for t in 0..<n {
            let row = z + t * ld
            var norm = 0.0
            for i in 0..<p { norm += Double(row[i]) * Double(row[i]) }
            let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
            for i in 0..<p {
                let ri = Double(row[i]) * inverse
                for j in 0...i { gram[i * p + j] += ri * Double(row[j]) * inverse }
            }
        }
        let scale = Double(p) / (Double(n) * epsilonSquared)
        for i in 0..<p {
            for j in 0...i { gram[i * p + j] *= scale }
            gram[i * p + i] += 1
        }
        return 0.5 * choleskyLogDeterminant(&gram, size: p)
    }

    /// log det of a symmetric positive-definite matrix (lower triangle used), by Cholesky.
    static func choleskyLogDeterminant(_ a: inout [Double], size n: Int) -> Double {
        var logDet = 0.0
        for j in 0..<n {
            var diagonal = a[j * n + j]
            for k in 0..<j { diagonal -= a[j * n + k] * a[j * n + k] }
            let root = diagonal.squareRoot()
            logDet += 2 * log(root)
            for i in (j + 1)..<max(n, j + 1) {
                var value = a[i * n + j]
                for k in 0..<j { value -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = value / root
            }
        }
        return logDet
    }
}

extension DiffusionTransformer {
    /// Each layer's readout from the activations of the latest forward pass.
    public func readouts() -> [LayerReadout] {
        guard let a = currentActivations else { return [] }
        precondition(!a.inferenceOnly, "readouts need each block's own activations: not an inference-only network")
        let s = a.shape
        let (n, p, heads) = (s.tokens, config.headWidth, s.heads)
        return a.blocks.enumerated().map { index, block in
            let probe = block.probe
            var rates: [Double] = []
            var zeros = 0
            for b in 0..<s.batch {
                var rate = 0.0
                for h in 0..<heads {
                    rate += LayerReadout.codingRate(probe.projections + b * n * probe.projectionStride + h * p,
                                                    tokens: n, width: p, ld: probe.projectionStride)
                }
                rates.append(rate)
                let code = probe.code + b * n * probe.codeWidth
                for i in 0..<(n * probe.codeWidth) where abs(code[i]) <= probe.zeroThreshold { zeros += 1 }
            }
            let mean = rates.reduce(0, +) / Double(rates.count)
            let variance = rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, rates.count - 1))
            return LayerReadout(layer: index, codingRate: mean, codingRateSD: variance.squareRoot(),
                                sparsity: Double(zeros) / Double(s.batch * n * probe.codeWidth))
        }
    }
}

/// Where a block's readouts are measured, in its activations.
struct BlockProbe {
    /// Per-head token projections: rows of `projectionStride` floats, head h at column h·p.
    let projections: ConstFloatPointer
    let projectionStride: Int
    /// The feed-forward output measured for sparsity, rows of `codeWidth` floats.
    let code: ConstFloatPointer
    let codeWidth: Int
    /// Values with |v| ≤ this count as zero.
    let zeroThreshold: Float
    /// The attention probabilities, [B, H, N, N]: row i holds token i's weights over the tokens.
    let probabilities: ConstFloatPointer
}
