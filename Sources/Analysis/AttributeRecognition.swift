import CellData
import Kernels

/// How well each label attribute asked of a run conditioned on several (cell type, donor,
/// phase, …) is recognised in its generated cells: per attribute, a 5-nearest-neighbour
/// classifier trained on the real cells' values of that attribute alone, in the principal
/// components of `PerLabelEvaluation`, calls each generated cell; the accuracy is the share
/// called what it was asked to be, over the cells that asked that attribute anything. Its
/// floor: one random half of the real cells classified by the other half; its chance: the
/// largest class's share of the real cells.
public struct AttributeRecognition: Sendable {
    public struct Row: Sendable, Equatable {
        public let column: String
        public let accuracy: Double
        public let floor: Double
        public let chance: Double
    }

    public let rows: [Row]

    /// `labels` and `requested` are combined labels over `columns` (`CombinedLabel`).
    public init(real: CellMatrix, labels: [String], generated: CellMatrix, requested: [String], columns: [String],
                basis: PCA, seed: UInt64 = 0) throws {
        let (pr, pg) = (basis.transform(real), basis.transform(generated))
        let realValues = try labels.map { try CombinedLabel.values(in: $0, columns: columns) }
        let askedValues = try requested.map { try CombinedLabel.values(in: $0, columns: columns) }
        var generator = SeededGenerator(seed: seed &+ 17)
        var order = Array(0..<real.cells)
        generator.shuffle(&order)
        let (first, second) = (Array(order[..<(real.cells / 2)]), Array(order[(real.cells / 2)...]))
        rows = columns.indices.map { a in
            let known = realValues.indices.filter { !(realValues[$0][a] ?? "").isEmpty }
            let value = { (i: Int) in realValues[i][a]! }
            let asked = askedValues.indices.filter { !(askedValues[$0][a] ?? "").isEmpty }
            guard known.count >= 2, !asked.isEmpty else { return Row(column: columns[a], accuracy: .nan, floor: .nan, chance: .nan) }
            let transfer = LabelTransfer(real: HeldOutSplit.rows(pr, known), labels: known.map(value),
                                         generated: HeldOutSplit.rows(pg, asked), neighbours: min(5, known.count))
            let accuracy = transfer.accuracy(requested: asked.map { askedValues[$0][a]! })
            let labelled = Set(known)
            let (train, test) = (first.filter(labelled.contains), second.filter(labelled.contains))
            let floor = train.isEmpty || test.isEmpty ? Double.nan
                : LabelTransfer(real: HeldOutSplit.rows(pr, train), labels: train.map(value), generated: HeldOutSplit.rows(pr, test),
                                neighbours: min(5, train.count)).accuracy(requested: test.map(value))
            var counts: [String: Int] = [:]
            for i in known { counts[value(i), default: 0] += 1 }
            return Row(column: columns[a], accuracy: accuracy, floor: floor,
                       chance: Double(counts.values.max() ?? 0) / Double(known.count))
        }
    }
}
