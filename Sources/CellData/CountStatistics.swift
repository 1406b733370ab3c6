import Foundation

/// Counts recovered from log-normalised cells and the per-cell figures scanpy's
/// `calculate_qc_metrics` reports for them.
public enum CountStatistics {
    /// The counts behind log-normalised cells, given each cell's library size and the
    /// `normalize_total` target S: round(expm1(x) · L / S).
    public static func counts(logNormalised cells: CellMatrix, librarySizes: [Float], targetSum: Double) -> CellMatrix {
        precondition(librarySizes.count == cells.cells, "CountStatistics: \(librarySizes.count) library sizes for \(cells.cells) cells")
        let g = cells.genes
        var values = cells.values
        for c in 0..<cells.cells {
            let factor = librarySizes[c] / Float(targetSum)
            for j in 0..<g { values[c * g + j] = (expm1(values[c * g + j]) * factor).rounded() }
        }
        return CellMatrix(cells: cells.cells, genes: g, values: values)
    }

    /// Per cell, the sum of its values (`total_counts` of counts).
    public static func totals(_ m: CellMatrix) -> [Double] {
        (0..<m.cells).map { c in (0..<m.genes).reduce(0.0) { $0 + Double(m.values[c * m.genes + $1]) } }
    }

    /// Per cell, how many of its genes are non-zero (`n_genes_by_counts`).
    public static func detected(_ m: CellMatrix) -> [Double] {
        (0..<m.cells).map { c in Double((0..<m.genes).reduce(0) { $0 + (m.values[c * m.genes + $1] != 0 ? 1 : 0) }) }
    }
}
