import CellData
import Kernels

/// How well conditional generation hits each cell type it was asked for. Real cells (with
/// their types) train a 5-nearest-neighbour classifier in the space of their principal
/// components; each generated cell is classified there, and per type:
///
/// - accuracy: the fraction of cells generated as that type that the classifier calls that
///   type (its floor: the same for one random half of the real cells classified by the
///   other half);
/// - MMD²: between the real and the generated cells of that type, in the same PC space
///   (its floor: between two halves of the type's real cells);
/// - marker overlap: how many of the type's top-20 marker genes (t-test against the other
///   types, as scanpy ranks them) in the real cells are also top-20 in the generated ones.
///
/// Chance accuracy is the largest real type's share: what always answering that type scores.
/// The PC space is the real cells' own unless `basis` gives one (as for `Evaluation`).
public struct PerLabelEvaluation: Sendable {
    public struct Row: Sendable {
        public let label: String
        public let realCells: Int
        public let generatedCells: Int
        public let accuracy: Double
        public let accuracyFloor: Double
        public let mmd2: Double
        public let mmd2Floor: Double
        public let markerOverlap: Double
    }

    /// One row per requested type, the most common real type first.
    public let rows: [Row]
    /// Over all generated cells.
    public let accuracy: Double
    public let chance: Double

    public init(real: CellMatrix, labels: [String], generated: CellMatrix, requested: [String], components: Int = 50,
                seed: UInt64 = 0, basis: PCA? = nil) {
        precondition(real.genes == generated.genes && labels.count == real.cells && requested.count == generated.cells,
                     "PerLabelEvaluation: mismatched cells, labels or genes")
        let pca = basis ?? PCA(fitting: real, components: min(components, real.cells - 1, real.genes), seed: seed)
        let (pr, pg) = (pca.transform(real), pca.transform(generated))
        let transfer = LabelTransfer(real: pr, labels: labels, generated: pg)
        accuracy = transfer.accuracy(requested: requested)
        var counts: [String: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        chance = Double(counts.values.max() ?? 0) / Double(max(1, labels.count))

        // Floors from two random halves of the real cells.
        var generator = SeededGenerator(seed: seed &+ 17)
        var order = Array(0..<real.cells)
        generator.shuffle(&order)
        let (first, second) = (Array(order[..<(real.cells / 2)]), Array(order[(real.cells / 2)...]))
        let halfTransfer = LabelTransfer(real: HeldOutSplit.rows(pr, first), labels: first.map { labels[$0] },
                                         generated: HeldOutSplit.rows(pr, second))
        let halfLabels = second.map { labels[$0] }

        let markers = MarkerGenes.overlap(real: MarkerGenes(cells: real, labels: labels),
                                          generated: MarkerGenes(cells: generated, labels: requested))
        let overlap = Dictionary(markers.map { ($0.label, $0.overlap) }, uniquingKeysWith: { a, _ in a })
        let asked = Set(requested).sorted { (counts[$0] ?? 0, $1) > (counts[$1] ?? 0, $0) }
        rows = asked.map { label in
            let realRows = labels.indices.filter { labels[$0] == label }
            let generatedRows = requested.indices.filter { requested[$0] == label }
            let hits = generatedRows.filter { transfer.predicted[$0] == label }.count
            let halfRows = halfLabels.indices.filter { halfLabels[$0] == label }
            let halfHits = halfRows.filter { halfTransfer.predicted[$0] == label }.count
            let (mmd, mmdFloor) = Self.mmd(pr, order.filter { labels[$0] == label }, pg, generatedRows)
            return Row(label: label, realCells: realRows.count, generatedCells: generatedRows.count,
                       accuracy: Double(hits) / Double(generatedRows.count),
                       accuracyFloor: halfRows.isEmpty ? .nan : Double(halfHits) / Double(halfRows.count),
                       mmd2: mmd, mmd2Floor: mmdFloor, markerOverlap: overlap[label] ?? .nan)
        }
    }

    /// MMD² between a type's real and generated cells, and between two halves of its real
    /// cells (`realRows` in random order; NaN where a side has fewer than 2 cells).
    private static func mmd(_ pr: CellMatrix, _ realRows: [Int], _ pg: CellMatrix, _ generatedRows: [Int]) -> (Double, Double) {
        guard realRows.count >= 2, generatedRows.count >= 2 else { return (.nan, .nan) }
        let value = MaximumMeanDiscrepancy(HeldOutSplit.rows(pr, realRows), HeldOutSplit.rows(pg, generatedRows)).squared
        guard realRows.count >= 4 else { return (value, .nan) }
        let half = realRows.count / 2
        let floor = MaximumMeanDiscrepancy(HeldOutSplit.rows(pr, Array(realRows[..<half])),
                                           HeldOutSplit.rows(pr, Array(realRows[half...]))).squared
        return (value, floor)
    }

    /// Means over the types of accuracy, MMD² and marker overlap (NaNs left out).
    public var means: (accuracy: Double, mmd2: Double, markerOverlap: Double) {
        (Self.mean(rows.map(\.accuracy)), Self.mean(rows.map(\.mmd2)), Self.mean(rows.map(\.markerOverlap)))
    }

    /// The mean over the types of the real-vs-real accuracy.
    public var meanAccuracyFloor: Double { Self.mean(rows.map(\.accuracyFloor)) }

    /// The mean over the types of the real-vs-real MMD².
    public var meanMMD2Floor: Double { Self.mean(rows.map(\.mmd2Floor)) }

    private static func mean(_ values: [Double]) -> Double {
        let finite = values.filter { $0.isFinite }
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }
}
