import CellData
import Foundation
import Kernels

/// How many leading principal components of log-normalised cells hold their signal rather
/// than their sampling noise, chosen on held-out molecules (molecular cross-validation,
/// Batson, Royer & Webber 2019):
///
///     y = y¹ + y²,   y¹ ~ Binomial(y, ½)      each cell's UMIs split into two halves
///     x¹, x²                                   each half log-normalised with its own size
///     loss(k) = mean ‖x² − P_k(x¹)‖²           P_k: x¹'s projection on the leading k
///                                              principal axes of x¹
///
/// Given the cell, the two halves are independent draws of the same expression, so P_k(x¹)
/// predicts x² better as k grows while the axes add signal, and worse once they add x¹'s own
/// noise. The count model's smooth part keeps the k that minimises the loss: every axis
/// past it is mostly sampling noise, which the count model's negative binomial adds once,
/// rather than a second time on top of the noise those axes already carry. With few genes
/// the noise reaches the leading axes soon (a 400-gene panel keeps few), with many genes
/// late; a fixed count fits one kind of data only.
public struct MolecularCrossValidation {
    /// loss[k]: the mean squared error per value of predicting x² from k components (k = 0…).
    public let losses: [Double]
    /// The k of the smallest loss (at least 1).
    public let rank: Int

    /// `counts`: cells × genes UMI counts; `librarySizes`: each cell's whole-transcriptome
    /// total (at least the sum of its counts here; the genes not here are split in half too);
    /// `targetSum`: the `normalize_total` target. Ranks up to `maxComponents` are tried.
    public init?(counts: CellMatrix, librarySizes: [Float], targetSum: Double, maxComponents: Int, seed: UInt64) {
        precondition(librarySizes.count == counts.cells, "MolecularCrossValidation: \(librarySizes.count) sizes for \(counts.cells) cells")
        let (n, g) = (counts.cells, counts.genes)
        guard n >= 3, g >= 2 else { return nil }
        var first = [Float](repeating: 0, count: n * g), second = first
        for c in 0..<n {
            var generator = SeededGenerator(seed: seed, stream: 0x3C_0000 + UInt64(c))
            var (sum1, sum2) = (0.0, 0.0)
            for j in 0..<g {
                let y = Int(max(0, counts.values[c * g + j]).rounded())
                let y1 = generator.nextHalfBinomial(y)
                first[c * g + j] = Float(y1)
                second[c * g + j] = Float(y - y1)
                sum1 += Double(y1)
                sum2 += Double(y - y1)
            }
            // The genes not here hold the rest of the library; each half gets half of it.
            let elsewhere = max(0, Double(librarySizes[c]) - sum1 - sum2) / 2
            let (factor1, factor2) = (Self.scale(sum1 + elsewhere, targetSum), Self.scale(sum2 + elsewhere, targetSum))
            for j in 0..<g {
                first[c * g + j] = log1p(first[c * g + j] * factor1)
                second[c * g + j] = log1p(second[c * g + j] * factor2)
            }
        }
        let x1 = CellMatrix(cells: n, genes: g, values: first), x2 = CellMatrix(cells: n, genes: g, values: second)
        guard let axes = PrincipalBasis(fitting: x1) else { return nil }
        let k = max(1, min(maxComponents, g, n - 1))
        let basis = axes.leading(k)
        let scores1 = basis.project(x1), scores2 = basis.project(x2)
        // ‖x² − μ − Σ_{i<k} s¹_i a_i‖² = ‖x² − μ‖² + Σ_{i<k} (s¹_i² − 2 s¹_i s²_i), the axes orthonormal.
        var total = 0.0
        for c in 0..<n { for j in 0..<g { let d = Double(second[c * g + j] - axes.mean[j]); total += d * d } }
        var losses = [total]
        var best = (rank: 1, loss: Double.infinity)
        for i in 0..<k {
            var change = 0.0
            for c in 0..<n {
                let (s1, s2) = (Double(scores1.values[c * k + i]), Double(scores2.values[c * k + i]))
                change += s1 * s1 - 2 * s1 * s2
            }
            total += change
            losses.append(total)
            if total < best.loss { best = (i + 1, total) }
        }
        self.losses = losses.map { $0 / Double(n * g) }
        rank = best.rank
    }

    /// normalize_total's factor for a cell of this size (0 for an empty cell).
    private static func scale(_ size: Double, _ targetSum: Double) -> Float { size > 0 ? Float(targetSum / size) : 0 }
}
