import CellData

/// How close cells come to a reference set: the median, over `cells`, of the Euclidean
/// distance to the nearest reference cell. With the training cells as the reference it is
/// a copying check: generated cells that sit much closer to training cells than held-out
/// real cells do are memorised rather than new (docs/metrics.md).
public enum NearestCellDistance {
    /// The median (the mean of the middle two for an even count) nearest-neighbour distance.
    public static func median(of cells: CellMatrix, to reference: CellMatrix) -> Double {
        guard cells.cells > 0, reference.cells > 0 else { return .nan }
        let nearest = NearestNeighbours(of: cells, in: reference, k: 1)
        let distances = nearest.squaredDistances.map { Double(max(0, $0)).squareRoot() }.sorted()
        let n = distances.count
        return n % 2 == 1 ? distances[n / 2] : (distances[n / 2 - 1] + distances[n / 2]) / 2
    }
}
