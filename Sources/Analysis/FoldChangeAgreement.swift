import CellData
import Foundation

/// Whether generated cells reproduce each cell type's differential expression: per type,
/// the log₂ fold change of every gene against the rest of the cells, as scanpy's
/// `rank_genes_groups` reports it — log₂((expm1(mean in type) + 10⁻⁹) / (expm1(mean in the
/// rest) + 10⁻⁹)) on log-normalised values — and the Pearson r between the real and the
/// generated fold changes over the `top` genes with the largest real |fold change|.
public enum FoldChangeAgreement {
    /// Per type, every gene's log₂ fold change against the rest; types with no cells, or
    /// no other cells, are absent.
    public static func logFoldChanges(_ cells: CellMatrix, labels: [String]) -> [String: [Double]] {
        precondition(labels.count == cells.cells, "FoldChangeAgreement: \(labels.count) labels for \(cells.cells) cells")
        let g = cells.genes
        var sums: [String: [Double]] = [:], counts: [String: Int] = [:]
        var total = [Double](repeating: 0, count: g)
        for c in 0..<cells.cells {
            var row = sums[labels[c]] ?? [Double](repeating: 0, count: g)
            for j in 0..<g {
                let v = Double(cells.values[c * g + j])
                row[j] += v
                total[j] += v
            }
            sums[labels[c]] = row
            counts[labels[c], default: 0] += 1
        }
        var result: [String: [Double]] = [:]
        for (label, sum) in sums {
            let inside = counts[label]!, outside = cells.cells - inside
            guard outside > 0 else { continue }
            result[label] = (0..<g).map { j in
                let meanIn = sum[j] / Double(inside), meanOut = (total[j] - sum[j]) / Double(outside)
                return log2((expm1(meanIn) + 1e-9) / (expm1(meanOut) + 1e-9))
            }
        }
        return result
    }

    /// The mean over the real cells' types (present among the generated cells too) of the
    /// fold changes' agreement r on each type's `top` genes; nan when no type is shared.
    public static func meanCorrelation(real: CellMatrix, realLabels: [String], generated: CellMatrix,
                                       generatedLabels: [String], top: Int = 100) -> Double {
        let a = logFoldChanges(real, labels: realLabels), b = logFoldChanges(generated, labels: generatedLabels)
        let shared = a.keys.filter { b[$0] != nil }.sorted()
        let correlations = shared.map { label -> Double in
            let (ra, rb) = (a[label]!, b[label]!)
            let genes = ra.indices.sorted { abs(ra[$0]) != abs(ra[$1]) ? abs(ra[$0]) > abs(ra[$1]) : $0 < $1 }.prefix(top)
            return Correlation.pearson(genes.map { ra[$0] }, genes.map { rb[$0] })
        }.filter { $0.isFinite }
        return correlations.isEmpty ? .nan : correlations.reduce(0, +) / Double(correlations.count)
    }
}
