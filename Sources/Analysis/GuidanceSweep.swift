import Foundation

/// One guidance weight of a conditional run's `sweep.json` (`wbdit eval --run --guidance
/// W1,W2,…`): the held-out mix generated at that weight and scored per type.
public struct GuidanceSweepEntry: Codable, Equatable, Sendable {
    @FiniteOrNull public var guidance: Double
    /// Over all generated cells, the fraction the classifier calls the type they were asked to be.
    @FiniteOrNull public var accuracy: Double
    @FiniteOrNull public var chance: Double
    @FiniteOrNull public var meanMMD2: Double
    @FiniteOrNull public var markerOverlap: Double
    public var perLabel: [EvaluationReport.CellType]

    enum CodingKeys: String, CodingKey {
        case guidance, accuracy, chance
        case meanMMD2 = "mean_mmd2", markerOverlap = "marker_overlap", perLabel = "per_label"
    }

    public init(guidance: Double, _ result: PerLabelEvaluation) {
        self.guidance = guidance
        (accuracy, chance) = (result.accuracy, result.chance)
        (meanMMD2, markerOverlap) = (result.means.mmd2, result.means.markerOverlap)
        perLabel = result.rows.map(EvaluationReport.CellType.init)
    }

    /// A sweep as `sweep.json` holds it: a JSON array, one object per weight, keys sorted.
    public static func encoded(_ entries: [GuidanceSweepEntry]) throws -> Data { try reportJSON(entries) }
}
