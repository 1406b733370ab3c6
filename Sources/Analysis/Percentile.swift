/// Percentiles of a sample, as NumPy's default (`method="linear"`) computes them.
public enum Percentile {
    /// The q-th percentile (0…100) of values sorted ascending, interpolating linearly
    /// between ranks; NaN when there are none.
    public static func of(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }

    /// The median of values in any order (the mean of the middle two for an even count); NaN when there are none.
    public static func median(_ values: [Double]) -> Double { of(sorted: values.sorted(), 50) }
}
