import Foundation

/// t-SNE's input similarities as a sparse matrix in CSR form: row i lists the points j
/// with p_ij > 0 and their values.
public struct Affinities: Sendable {
    public let rows: Int
    public let rowStart: [Int]
    public let columns: [Int32]
    public let values: [Double]

    /// The conditional probabilities p_{j|i} ∝ exp(−β_i d²_ij) over each point's listed
    /// neighbours, β_i found by bisection so that the entropy of row i is log(perplexity)
    /// (to 1e-8 nats, at most 200 halvings), as scikit-learn and openTSNE do. Each row sums
    /// to 1. `squaredDistances` is [rows, k], `neighbours` the matching indices.
    public static func conditional(neighbours: [Int32], squaredDistances: [Float], k: Int,
                                   perplexity: Double) -> Affinities {
        let n = k == 0 ? 0 : neighbours.count / k
        let target = log(perplexity)
        var values = [Double](repeating: 0, count: n * k)
        var row = [Double](repeating: 0, count: k)
        for i in 0..<n {
            let d = (0..<k).map { Double(squaredDistances[i * k + $0]) }
            let nearest = d.min() ?? 0
            var beta = 1.0, low = -Double.infinity, high = Double.infinity
            for _ in 0..<200 {
                var total = 0.0, weighted = 0.0
                for j in 0..<k {
                    row[j] = exp(-(d[j] - nearest) * beta)
                    total += row[j]
                    weighted += (d[j] - nearest) * row[j]
                }
                total = max(total, 1e-300)
                let entropy = log(total) + beta * weighted / total
                for j in 0..<k { row[j] /= total }
                let gap = entropy - target
                if abs(gap) < 1e-8 { break }
                if gap > 0 {
                    low = beta
                    beta = high.isFinite ? (beta + high) / 2 : beta * 2
                } else {
                    high = beta
                    beta = low.isFinite ? (beta + low) / 2 : beta / 2
                }
            }
            for j in 0..<k { values[i * k + j] = row[j] }
        }
        return Affinities(rows: n, rowStart: (0...n).map { $0 * k }, columns: neighbours, values: values)
    }

    /// The joint probabilities p_ij = (p_{j|i} + p_{i|j}) / 2n of t-SNE: symmetric, summing to 1.
    public func symmetrised() -> Affinities {
        var entries: [(Int32, Int32, Double)] = []
        entries.reserveCapacity(2 * values.count)
        for i in 0..<rows {
            for e in rowStart[i]..<rowStart[i + 1] {
                entries.append((Int32(i), columns[e], values[e]))
                entries.append((columns[e], Int32(i), values[e]))
            }
        }
        entries.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var starts = [Int](repeating: 0, count: rows + 1)
        var merged: [Int32] = [], mergedValues: [Double] = []
        let total = values.reduce(0, +) * 2
        var e = 0
        while e < entries.count {
            var value = 0.0
            let (i, j) = (entries[e].0, entries[e].1)
            while e < entries.count && entries[e].0 == i && entries[e].1 == j { value += entries[e].2; e += 1 }
            merged.append(j)
            mergedValues.append(value / total)
            starts[Int(i) + 1] += 1
        }
        for i in 0..<rows { starts[i + 1] += starts[i] }
        return Affinities(rows: rows, rowStart: starts, columns: merged, values: mergedValues)
    }
}
