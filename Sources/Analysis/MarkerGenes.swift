import CellData
import Foundation

/// Marker genes of cell types, one type against the rest, scored on the values as given
/// (log-normalised) as scanpy's `rank_genes_groups` scores them:
///
/// - `.tTest` (`method="t-test"`): Welch's t, (mean in the type − mean in the rest) /
///   √(var_type/n_type + var_rest/n_rest), variances with ddof 1;
/// - `.wilcoxon` (`method="wilcoxon"`): the rank-sum z-score, (R − n_type(n + 1)/2) /
///   √(n_type·n_rest·(n + 1)/12), R the type's sum of ranks (ties averaged, no correction).
public struct MarkerGenes: Sendable {
    public enum Method: Sendable { case tTest, wilcoxon }

    /// The labels, in first-seen order.
    public let labels: [String]
    /// Per label, every gene's score [labels][genes].
    public let scores: [[Double]]

    public init(cells: CellMatrix, labels cellLabels: [String], method: Method = .tTest) {
        precondition(cellLabels.count == cells.cells, "MarkerGenes: \(cellLabels.count) labels for \(cells.cells) cells")
        var order: [String] = []
        for l in cellLabels where !order.contains(l) { order.append(l) }
        labels = order
        if method == .wilcoxon {
            scores = Self.rankSumScores(cells, cellLabels, order)
            return
        }
        let g = cells.genes
        // Per-label sums and sums of squares, then one-vs-rest moments from the totals.
        var sum = [[Double]](repeating: [Double](repeating: 0, count: g), count: order.count)
        var squares = sum
        var counts = [Int](repeating: 0, count: order.count)
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        for c in 0..<cells.cells {
            let k = index[cellLabels[c]]!
            counts[k] += 1
            for j in 0..<g {
                let v = Double(cells.values[c * g + j])
                sum[k][j] += v
                squares[k][j] += v * v
            }
        }
        let totalSum = (0..<g).map { j in sum.reduce(0) { $0 + $1[j] } }
        let totalSquares = (0..<g).map { j in squares.reduce(0) { $0 + $1[j] } }
        let n = cells.cells
        scores = (0..<order.count).map { k in
            let (n1, n2) = (Double(counts[k]), Double(n - counts[k]))
            return (0..<g).map { j in
                guard n1 >= 2, n2 >= 2 else { return .nan }
                let m1 = sum[k][j] / n1, m2 = (totalSum[j] - sum[k][j]) / n2
                let v1 = max(0, (squares[k][j] - n1 * m1 * m1) / (n1 - 1))
                let v2 = max(0, (totalSquares[j] - squares[k][j] - n2 * m2 * m2) / (n2 - 1))
                let se = (v1 / n1 + v2 / n2).squareRoot()
                return se > 0 ? (m1 - m2) / se : 0
            }
        }
    }

    private static func rankSumScores(_ cells: CellMatrix, _ cellLabels: [String], _ order: [String]) -> [[Double]] {
        let (n, g) = (cells.cells, cells.genes)
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let membership = cellLabels.map { index[$0]! }
        var sizes = [Double](repeating: 0, count: order.count)
        for k in membership { sizes[k] += 1 }
        var scores = [[Double]](repeating: [Double](repeating: 0, count: g), count: order.count)
        for j in 0..<g {
            let ranks = Correlation.ranks((0..<n).map { Double(cells.values[$0 * g + j]) })
            var sums = [Double](repeating: 0, count: order.count)
            for c in 0..<n { sums[membership[c]] += ranks[c] }
            for k in order.indices {
                let (n1, n2) = (sizes[k], Double(n) - sizes[k])
                let spread = (n1 * n2 * Double(n + 1) / 12).squareRoot()
                scores[k][j] = spread > 0 ? (sums[k] - n1 * Double(n + 1) / 2) / spread : .nan
            }
        }
        return scores
    }

    /// The `count` highest-scoring genes of `label` (indices, best first; ties by index).
    public func top(_ label: String, _ count: Int) -> [Int] {
        guard let k = labels.firstIndex(of: label) else { return [] }
        let s = scores[k]
        return s.indices.filter { s[$0].isFinite }.sorted { (s[$0], -$0) > (s[$1], -$1) }.prefix(count).map { $0 }
    }

    /// Per label present in both, the fraction of real's top `count` markers that are
    /// also among generated's top `count`.
    public static func overlap(real: MarkerGenes, generated: MarkerGenes, count: Int = 20) -> [(label: String, overlap: Double)] {
        real.labels.compactMap { label in
            guard generated.labels.contains(label) else { return nil }
            let a = Set(real.top(label, count)), b = Set(generated.top(label, count))
            guard !a.isEmpty else { return nil }
            return (label, Double(a.intersection(b).count) / Double(a.count))
        }
    }
}
