/// What "as good as real" asks of each evaluation figure, relative to its floor (the same
/// figure between two samples of real cells): the targets docs/recipe.md and
/// docs/benchmarks.md measure against.
public enum EvaluationTarget: Equatable, Sendable {
    /// At most k × the floor (distances: MMD², W1, KS, gaps, total variation).
    case atMostTimesFloor(Double)
    /// At most the floor plus d (the kNN AUC, whose floor is near 0.5).
    case atMostFloorPlus(Double)
    /// At least the floor minus d (correlations and overlaps).
    case atLeastFloorMinus(Double)
    /// Within a fixed range whatever the floor (the variance ratio, memorisation).
    case within(ClosedRange<Double>)

    /// The target of a figure by its `Evaluation.Row.key`, or nil for figures without one.
    public static func of(_ key: String) -> EvaluationTarget? {
        switch key {
        case "mmd2_rbf_biased": .atMostTimesFloor(5)
        case "knn_auc": .atMostFloorPlus(0.1)
        case "gene_gene_corr_r": .atLeastFloorMinus(0.05)
        case "wasserstein1_gene_mean", "ks_gene_mean", "zero_fraction_gene_gap", "library_size_w1_log",
             "genes_detected_w1_log", "label_mix_tv": .atMostTimesFloor(2)
        case "gene_mean_pearson", "gene_variance_pearson", "lfc_pearson", "marker_overlap": .atLeastFloorMinus(0.01)
        case "variance_ratio_median": .within(0.8...1.25)
        case "nearest_training_ratio": .within(0.9...Double.infinity)
        case "near_copy_share": .within(0...0.05)
        default: nil
        }
    }

    /// Whether `value` meets the target given `floor`.
    public func isMet(_ value: Double, floor: Double) -> Bool {
        guard value.isFinite, floor.isFinite else { return false }
        switch self {
        case .atMostTimesFloor(let k): return value <= k * max(floor, 1e-12)
        case .atMostFloorPlus(let d): return value <= floor + d
        case .atLeastFloorMinus(let d): return value >= floor - d
        case .within(let range): return range.contains(value)
        }
    }

    /// The target as a reader sees it: `≤ 5× floor`, `≤ floor + 0.1`, `≥ floor − 0.05`.
    public var description: String {
        switch self {
        case .atMostTimesFloor(let k): return "≤ \(Self.short(k))× floor"
        case .atMostFloorPlus(let d): return "≤ floor + \(Self.short(d))"
        case .atLeastFloorMinus(let d): return "≥ floor − \(Self.short(d))"
        case .within(let range) where range.upperBound == .infinity: return "≥ \(Self.short(range.lowerBound))"
        case .within(let range) where range.lowerBound == 0: return "≤ \(Self.short(range.upperBound))"
        case .within(let range): return "\(Self.short(range.lowerBound))–\(Self.short(range.upperBound))"
        }
    }

    private static func short(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
