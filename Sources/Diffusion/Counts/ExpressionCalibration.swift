import Dispatch

/// Per gene, the mean normalised count of the cells whose smooth log value is s:
///
///     h_g(s) = E[y_cg / L_c · S | x̂_cg = s]
///
/// fitted on training cells as a monotone piecewise-linear curve: the cells sorted by x̂_cg
/// in `bins` groups of equal size, each group's mean x̂ and mean normalised count a knot,
/// the counts made non-decreasing by pooling adjacent violators (weighted by group size),
/// and the curve flat past the end knots.
///
/// Why not expm1(x̂): x̂ is a projection of log-normalised values, and the mean of a count
/// is not expm1 of the mean of its logs. For a gene that is sparse in a cell type, x̂ is a
/// small average of zeros and log1p(S/L), and expm1 of it understates the expression there
/// several-fold while a per-gene scale overstates it elsewhere; the negative binomial then
/// makes too many zeros and too few genes detected per cell (in a NumPy prototype on a
/// 400-gene CITE-seq panel, 0.451 of the values zero against 0.408 in the real cells). The
/// calibrated curve puts the mean where the cells have it.
struct ExpressionCalibration {
    let genes: Int, bins: Int
    /// genes × bins: each knot's mean smooth value and mean normalised count.
    let knotValues: [Float], knotMeans: [Float]

    /// Groups of at least 100 cells, between 5 and 50 of them (fewer for fewer cells).
    static func bins(cells: Int) -> Int { min(cells, max(5, min(50, cells / 100))) }

    init(knotValues: [Float], knotMeans: [Float], genes: Int, bins: Int) {
        precondition(knotValues.count == genes * bins && knotMeans.count == genes * bins, "ExpressionCalibration: knots of another shape")
        (self.knotValues, self.knotMeans, self.genes, self.bins) = (knotValues, knotMeans, genes, bins)
    }

    /// `smooth`: cells × genes smooth log values x̂; `normalised`: the same cells' y / L · S.
    init(smooth: [Float], normalised: [Float], cells n: Int, genes g: Int) {
        precondition(n >= 1 && smooth.count == n * g && normalised.count == n * g, "ExpressionCalibration: values of another shape")
        let bins = Self.bins(cells: n)
        var values = [Float](repeating: 0, count: g * bins), means = values
        values.withUnsafeMutableBufferPointer { valuesOut in
            means.withUnsafeMutableBufferPointer { meansOut in
                let (valuesOut, meansOut) = (valuesOut, meansOut)
                DispatchQueue.concurrentPerform(iterations: g) { j in
                    let order = (0..<n).sorted { (smooth[$0 * g + j], $0) < (smooth[$1 * g + j], $1) }
                    var knots: [(value: Double, mean: Double, weight: Double)] = []
                    for b in 0..<bins {
                        let group = order[(b * n / bins)..<((b + 1) * n / bins)]
                        var (s, y) = (0.0, 0.0)
                        for c in group { s += Double(smooth[c * g + j]); y += Double(normalised[c * g + j]) }
                        knots.append((s / Double(group.count), y / Double(group.count), Double(group.count)))
                    }
                    let monotone = Self.nonDecreasing(knots.map { ($0.mean, $0.weight) })
                    for b in 0..<bins {
                        valuesOut[j * bins + b] = Float(knots[b].value)
                        meansOut[j * bins + b] = Float(monotone[b])
                    }
                }
            }
        }
        self.init(knotValues: values, knotMeans: means, genes: g, bins: bins)
    }

    /// The weighted least-squares non-decreasing fit to `points` (pool adjacent violators).
    static func nonDecreasing(_ points: [(value: Double, weight: Double)]) -> [Double] {
        var blocks: [(mean: Double, weight: Double, count: Int)] = []
        for (value, weight) in points {
            blocks.append((value, weight, 1))
            while blocks.count > 1, blocks[blocks.count - 2].mean > blocks[blocks.count - 1].mean {
                let last = blocks.removeLast(), previous = blocks.removeLast()
                let weight = previous.weight + last.weight
                blocks.append(((previous.mean * previous.weight + last.mean * last.weight) / weight, weight, previous.count + last.count))
            }
        }
        return blocks.flatMap { Array(repeating: $0.mean, count: $0.count) }
    }

    /// h_g(s): linear between knots, flat past the ends.
    func mean(gene j: Int, at s: Float) -> Float {
        let base = j * bins
        if s <= knotValues[base] { return knotMeans[base] }
        if s >= knotValues[base + bins - 1] { return knotMeans[base + bins - 1] }
        var (low, high) = (0, bins - 1)   // knotValues[base + low] < s < knotValues[base + high]
        while high - low > 1 {
            let middle = (low + high) / 2
            if knotValues[base + middle] < s { low = middle } else { high = middle }
        }
        let (s0, s1) = (knotValues[base + low], knotValues[base + high])
        let t = s1 > s0 ? (s - s0) / (s1 - s0) : 0
        return knotMeans[base + low] + t * (knotMeans[base + high] - knotMeans[base + low])
    }

    /// h applied to every value of a cells × genes matrix of smooth values.
    func means(_ smooth: [Float]) -> [Float] {
        var out = smooth
        for i in 0..<smooth.count { out[i] = mean(gene: i % genes, at: smooth[i]) }
        return out
    }
}
