import CellData
import Foundation
import Kernels

/// The unbiased squared maximum mean discrepancy between two samples with a Gaussian
/// kernel k(x, y) = exp(−‖x − y‖² / (2σ²)):
///
///     MMD² = Σ_{i≠j} k(aᵢ, aⱼ) / m(m−1) + Σ_{i≠j} k(bᵢ, bⱼ) / n(n−1) − 2 Σᵢⱼ k(aᵢ, bⱼ) / mn
///
/// σ is the median heuristic: the median Euclidean distance between distinct points of
/// the pooled sample. The multi-bandwidth variant averages MMD² over σ·{¼, ½, 1, 2, 4}.
/// The biased V-statistic keeps the diagonal terms (k = 1) and divides by m² and n²; it is
/// never negative, so two samples of one distribution score a small positive floor (≈ the
/// unbiased value plus (1 − mean k)(1/m + 1/n)).
/// Distances come from one Gram-matrix sgemm, combined in Double.
public struct MaximumMeanDiscrepancy: Equatable, Sendable, Codable {
    public var bandwidth: Double
    public var squared: Double
    public var multiBandwidthSquared: Double
    /// The biased estimate (V-statistic) at the median-heuristic σ.
    public var biasedSquared: Double

    public static let scales: [Double] = [0.25, 0.5, 1, 2, 4]

    public init(_ a: CellMatrix, _ b: CellMatrix) {
        precondition(a.genes == b.genes && a.cells > 1 && b.cells > 1, "MaximumMeanDiscrepancy: incompatible samples")
        let (m, n, d) = (a.cells, b.cells, a.genes)
        let pooled = FloatBuffer(a.values + b.values), gram = FloatBuffer(count: (m + n) * (m + n))
        let total = m + n
        Matmul.gemm(.none, .transposed, m: total, n: total, k: d, a: pooled.constPointer, lda: d,
                    b: pooled.constPointer, ldb: d, c: gram.pointer, ldc: total)
        var squaredDistance = [Double](repeating: 0, count: total * total)
        for i in 0..<total { for j in 0..<total {
            let value = Double(gram[i * total + i]) + Double(gram[j * total + j]) - 2 * Double(gram[i * total + j])
            squaredDistance[i * total + j] = max(0, value)
        } }
        var distances: [Double] = []
        distances.reserveCapacity(total * (total - 1) / 2)
        for i in 0..<total { for j in (i + 1)..<total { distances.append(squaredDistance[i * total + j].squareRoot()) } }
        distances.sort()
        let half = distances.count / 2
        let sigma = distances.count % 2 == 1 ? distances[half] : (distances[half - 1] + distances[half]) / 2
        bandwidth = sigma

        /// The unbiased estimate, or with `biased` the V-statistic.
        func mmd(_ sigma: Double, biased: Bool = false) -> Double {
            let gamma = 1 / (2 * sigma * sigma)
            var aa = 0.0, bb = 0.0, ab = 0.0
            for i in 0..<total {
                for j in 0..<total where i != j {
                    let k = exp(-gamma * squaredDistance[i * total + j])
                    switch (i < m, j < m) {
                    case (true, true): aa += k
                    case (false, false): bb += k
                    case (true, false): ab += k
                    case (false, true): break
                    }
                }
            }
            if biased { return (aa + Double(m)) / Double(m * m) + (bb + Double(n)) / Double(n * n) - 2 * ab / Double(m * n) }
            return aa / Double(m * (m - 1)) + bb / Double(n * (n - 1)) - 2 * ab / Double(m * n)
        }
        squared = mmd(sigma)
        biasedSquared = mmd(sigma, biased: true)
        multiBandwidthSquared = Self.scales.map { mmd(sigma * $0) }.reduce(0, +) / Double(Self.scales.count)
    }
}

