import CellData
import Foundation

/// Kullback–Leibler divergences between real and generated cells.
public enum KLDivergence {
    /// The reference paper's measure: row i of the real cells and row i of the generated
    /// cells are each turned into a distribution over genes by a softmax, and KL(real ‖
    /// generated) is averaged over the paired rows (the first min(m, n) of each). It depends
    /// on the arbitrary pairing of rows, so two samples of one distribution do not score 0;
    /// it is reported for comparison with the paper, beside the per-gene measure below.
    public static func reference(real a: CellMatrix, generated b: CellMatrix) -> Double {
        precondition(a.genes == b.genes, "KLDivergence: \(a.genes) and \(b.genes) genes")
        let pairs = min(a.cells, b.cells), g = a.genes
        var total = 0.0
        for i in 0..<pairs {
            let p = softmax(a.values[(i * g)..<((i + 1) * g)]), q = softmax(b.values[(i * g)..<((i + 1) * g)])
            for j in 0..<g where p[j] > 0 { total += p[j] * log(p[j] / q[j]) }
        }
        return total / Double(pairs)
    }

    /// A per-gene measure that does not depend on row order: for each gene, the values of
    /// both sets are binned into `bins` equal-width bins over their pooled range, every bin
    /// gets a pseudo-count of ½ (Jeffreys; an empty bin must not weigh infinitely), the
    /// two histograms are normalised, and KL(real ‖ generated) is taken; the mean over
    /// genes is returned (genes constant in both sets score 0).
    public static func perGeneHistogram(real a: CellMatrix, generated b: CellMatrix, bins: Int = 50,
                                        pseudocount smoothing: Double = 0.5) -> Double {
        precondition(a.genes == b.genes, "KLDivergence: \(a.genes) and \(b.genes) genes")
        let g = a.genes
        var total = 0.0
        for j in 0..<g {
            let x = (0..<a.cells).map { Double(a.values[$0 * g + j]) }, y = (0..<b.cells).map { Double(b.values[$0 * g + j]) }
            let low = min(x.min()!, y.min()!), high = max(x.max()!, y.max()!)
            guard high > low else { continue }
            func histogram(_ values: [Double]) -> [Double] {
                var counts = [Double](repeating: 0, count: bins)
                for v in values { counts[min(bins - 1, Int((v - low) / (high - low) * Double(bins)))] += 1 }
                let sum = counts.reduce(0, +) + smoothing * Double(bins)
                return counts.map { ($0 + smoothing) / sum }
            }
            let (p, q) = (histogram(x), histogram(y))
            for k in 0..<bins { total += p[k] * log(p[k] / q[k]) }
        }
        return total / Double(g)
    }

    private static func softmax(_ row: ArraySlice<Float>) -> [Double] {
        let top = Double(row.max() ?? 0)
        let e = row.map { exp(Double($0) - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}
