import CellData

/// How close cells come to a reference set. With the training cells as the reference it is
/// a copying check: generated cells that sit much closer to training cells than held-out
/// real cells do are memorised rather than new, and a near-copy of a training cell is a
/// leak when synthetic cells are shared (docs/metrics.md).
public enum NearestCellDistance {
    /// Each cell's Euclidean distance to its nearest reference cell, in the cells' order.
    public static func distances(of cells: CellMatrix, to reference: CellMatrix) -> [Double] {
        guard cells.cells > 0, reference.cells > 0 else { return [] }
        return NearestNeighbours(of: cells, in: reference, k: 1).squaredDistances.map { Double(max(0, $0)).squareRoot() }
    }

    /// The median nearest-reference distance (NaN without cells).
    public static func median(of cells: CellMatrix, to reference: CellMatrix) -> Double {
        Percentile.median(distances(of: cells, to: reference))
    }

    /// Generated cells against held-out real cells, both measured to the training cells:
    /// the ratio of their median nearest-training distances (1 for cells as new as real
    /// ones, near 0 for copies), and the share of generated cells nearer to a training cell
    /// than the nearest 5% of held-out cells are (5% for real cells).
    public static func copying(generated: CellMatrix, heldOut: CellMatrix, training: CellMatrix) -> (medianRatio: Double, nearCopyShare: Double) {
        let generatedDistances = distances(of: generated, to: training)
        let heldOutDistances = distances(of: heldOut, to: training).sorted()
        guard !generatedDistances.isEmpty, !heldOutDistances.isEmpty else { return (.nan, .nan) }
        let threshold = Percentile.of(sorted: heldOutDistances, 5)
        let near = generatedDistances.filter { $0 < threshold }.count
        return (Percentile.median(generatedDistances) / Percentile.of(sorted: heldOutDistances, 50),
                Double(near) / Double(generatedDistances.count))
    }
}
