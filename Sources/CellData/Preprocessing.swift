import Foundation

/// scanpy-compatible preprocessing of a cells × genes matrix.
public enum Preprocessing {
    /// Whether every value is a non-negative whole number: raw counts.
    public static func isCounts(_ m: CellMatrix) -> Bool {
        m.values.allSatisfy { $0 >= 0 && $0 == $0.rounded() }
    }

    /// More than any log-normalised value reaches: log1p of a whole cell's 10⁶ in one gene
    /// is 13.8, log2 of it 19.9.
    public static let largestLogValue: Float = 30

    /// Whether non-negative values are to be normalised and log-transformed as counts are:
    /// whole numbers (UMI or read counts), or values that no logarithm left — larger than
    /// `largestLogValue` (estimated counts, TPM, totals normalised without log1p). Otherwise
    /// they are taken as log-normalised already.
    public static func isUnlogged(wholeNumbers: Bool, largest: Float) -> Bool {
        wholeNumbers || largest > largestLogValue
    }

    /// The preprocessing step that records values read as counts though they are not whole numbers.
    public static func unloggedStep(largest: Float) -> String {
        unloggedStepOpening + String(format: " up to %.6g, more than log-normalised values reach: normalised and log-transformed as counts", largest)
    }
    /// How that step begins, for those who look for it.
    public static let unloggedStepOpening = "values not whole numbers but"

    /// Each cell's sum of values, in Double: its library size when the values are counts.
    public static func totals(_ m: CellMatrix) -> [Float] {
        (0..<m.cells).map { c in
            var total = 0.0
            for j in 0..<m.genes { total += Double(m.values[c * m.genes + j]) }
            return Float(total)
        }
    }

    /// The library sizes behind log-normalised cells, when the values are log1p of counts
    /// scaled to `target` per cell (what normalize_total and log1p leave, even after genes
    /// were selected): a cell's smallest non-zero value is k counts for a small whole k, so
    /// its size is k · target / expm1(smallest), and every other value must then be a whole
    /// number of counts. Nil unless 99% of the non-zero values of every cell are within
    /// 0.02 of a whole count (the data was not made from counts this way).
    public static func recoveredLibrarySizes(_ m: CellMatrix, target: Double = 1e4) -> [Float]? {
        let g = m.genes
        var sizes = [Float](repeating: 0, count: m.cells)
        for c in 0..<m.cells {
            let row = (0..<g).map { Double(Foundation.expm1(m.values[c * g + $0])) }
            let nonZero = row.filter { $0 > 0 }
            guard let smallest = nonZero.min() else { continue }   // an empty cell: any size fits
            let found = (1...4).lazy.map { k -> Double? in
                let perCount = smallest / Double(k)
                let whole = nonZero.filter { abs($0 / perCount - ($0 / perCount).rounded()) <= 0.02 }.count
                return Double(whole) >= 0.99 * Double(nonZero.count) ? target / perCount : nil
            }.first { $0 != nil }
            guard let size = found ?? nil else { return nil }
            sizes[c] = Float(size)
        }
        return sizes
    }

    /// `sc.pp.normalize_total(target_sum=target)`: each cell scaled so its values sum to
    /// `target` (cells that sum to 0 are left at 0). Sums are taken in Double.
    public static func normalizeTotal(_ m: inout CellMatrix, target: Double = 1e4) {
        let g = m.genes
        m.values.withUnsafeMutableBufferPointer { v in
            for c in 0..<m.cells {
                let row = v.baseAddress! + c * g
                var total = 0.0
                for j in 0..<g { total += Double(row[j]) }
                guard total > 0 else { continue }
                let scale = Float(target / total)
                for j in 0..<g { row[j] *= scale }
            }
        }
    }

    /// `sc.pp.log1p`: x ← ln(1 + x).
    public static func log1p(_ m: inout CellMatrix) {
        for i in m.values.indices { m.values[i] = Foundation.log1p(m.values[i]) }
    }

    /// `sc.pp.highly_variable_genes(flavor="seurat", n_top_genes:)` on log-normalised data:
    /// per gene, the mean and dispersion (variance / mean, ddof 1) of expm1(x); log of both;
    /// genes put in 20 equal-width bins of log mean; the dispersion z-scored within its bin;
    /// the `count` genes with the highest normalised dispersion. Returns their indices in
    /// gene order.
    public static func highlyVariableGenes(_ m: CellMatrix, count: Int, bins binCount: Int = 20) -> [Int] {
        var sums = GeneSums(genes: m.genes)
        sums.add(m) { x, _ in Double(Foundation.expm1(x)) }
        return highlyVariableGenes(expm1Sums: sums, count: count, bins: binCount)
    }

    /// The seurat selection from per-gene sums of expm1(x) (what streaming accumulates).
    public static func highlyVariableGenes(expm1Sums sums: GeneSums, count: Int, bins binCount: Int = 20) -> [Int] {
        let (n, g) = (sums.cells, sums.genes)
        let (mean, squares) = (sums.sum, sums.squares)
        var logMean = [Double](repeating: 0, count: g), dispersion = [Double](repeating: .nan, count: g)
        for j in 0..<g {
            var mu = mean[j] / Double(n)
            let variance = (squares[j] - Double(n) * mu * mu) / Double(max(1, n - 1))
            if mu == 0 { mu = 1e-12 }
            let d = variance / mu
            dispersion[j] = d == 0 ? .nan : log(d)
            logMean[j] = Foundation.log1p(mu)
        }
        // pandas.cut(logMean, bins): equal widths, the lowest edge lowered by 0.1% of the range.
        let (low, high) = (logMean.min() ?? 0, logMean.max() ?? 0)
        var edges = (0...binCount).map { low + (high - low) * Double($0) / Double(binCount) }
        edges[0] -= (high - low) * 0.001
        let bin = logMean.map { x -> Int in
            max(0, min(binCount - 1, (edges.firstIndex { x <= $0 } ?? binCount) - 1))
        }
        var binMean = [Double](repeating: 0, count: binCount), binStd = [Double](repeating: .nan, count: binCount)
        for b in 0..<binCount {
            let members = (0..<g).filter { bin[$0] == b && !dispersion[$0].isNaN }.map { dispersion[$0] }
            guard !members.isEmpty else { binMean[b] = .nan; continue }
            let mu = members.reduce(0, +) / Double(members.count)
            binMean[b] = mu
            if members.count > 1 {
                binStd[b] = (members.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(members.count - 1)).squareRoot()
            }
        }
        // scanpy: a bin whose std is undefined (one gene) gets std = its mean and mean = 0,
        // so that gene's normalised dispersion is 1.
        for b in 0..<binCount where binStd[b].isNaN {
            binStd[b] = binMean[b]
            binMean[b] = 0
        }
        let normalized = (0..<g).map { (dispersion[$0] - binMean[bin[$0]]) / binStd[bin[$0]] }
        let ranked = normalized.filter { !$0.isNaN }.sorted(by: >)
        guard !ranked.isEmpty else { return [] }
        let cutoff = ranked[min(count, ranked.count) - 1]
        return (0..<g).filter { (normalized[$0].isNaN ? 0 : normalized[$0]) >= cutoff }
    }

    /// `sc.pp.filter_cells(min_genes=minimum)`: the cells (rows) with at least `minimum`
    /// non-zero genes.
    public static func cells(_ m: CellMatrix, expressingAtLeast minimum: Int) -> [Int] {
        (0..<m.cells).filter { c in
            var expressed = 0
            for j in 0..<m.genes where m.values[c * m.genes + j] != 0 { expressed += 1 }
            return expressed >= minimum
        }
    }

    /// `sc.pp.filter_genes(min_cells=minimum)`: the genes (columns) non-zero in at least
    /// `minimum` cells.
    public static func genes(_ m: CellMatrix, expressedInAtLeast minimum: Int) -> [Int] {
        let counts = expressingCells(m)
        return (0..<m.genes).filter { counts[$0] >= minimum }
    }

    /// Per gene, the number of cells in which it is non-zero.
    public static func expressingCells(_ m: CellMatrix) -> [Int] {
        var counts = [Int](repeating: 0, count: m.genes)
        for c in 0..<m.cells { for j in 0..<m.genes where m.values[c * m.genes + j] != 0 { counts[j] += 1 } }
        return counts
    }

    /// Divides every gene (column) by its largest value, so non-negative data lies in [0, 1];
    /// returns the divisors (1 for a gene that is 0 everywhere).
    @discardableResult
    public static func scaleToUnit(_ m: inout CellMatrix) -> [Float] {
        let scale = unitScale(maxima: geneMaxima(m))
        divide(&m, by: scale)
        return scale
    }

    /// Per gene, its largest value.
    public static func geneMaxima(_ m: CellMatrix) -> [Float] {
        var maximum = [Float](repeating: 0, count: m.genes)
        for c in 0..<m.cells { for j in 0..<m.genes { maximum[j] = max(maximum[j], m.values[c * m.genes + j]) } }
        return maximum
    }

    /// The divisors `scaleToUnit` uses for these maxima (1 for a gene that is 0 everywhere).
    public static func unitScale(maxima: [Float]) -> [Float] { maxima.map { $0 > 0 ? $0 : 1 } }

    /// Divides every gene (column) by its divisor.
    public static func divide(_ m: inout CellMatrix, by scale: [Float]) {
        for c in 0..<m.cells { for j in 0..<m.genes { m.values[c * m.genes + j] /= scale[j] } }
    }

    /// Multiplies every gene back by its divisor: the inverse of `scaleToUnit`.
    public static func unscale(_ values: inout [Float], genes: Int, scale: [Float]) {
        for i in values.indices { values[i] *= scale[i % genes] }
    }

    /// `sc.pp.highly_variable_genes(flavor="seurat_v3", n_top_genes:)` on raw counts: a
    /// degree-2 LOESS (span 0.3) of log10 variance on log10 mean gives each gene's expected
    /// variance; values are clipped at mean + √N · expected sd and the variance is
    /// standardised by the expected one; the `count` genes with the largest standardised
    /// variance are kept. scanpy evaluates its LOESS on a k-d tree with interpolation
    /// (scikit-misc); this computes every local fit directly, which can swap a gene or two at
    /// the cut-off (Jaccard 0.999 against scanpy on the Zeisel data). Returns gene indices
    /// in gene order.
    public static func highlyVariableGenesV3(_ m: CellMatrix, count: Int, span: Double = 0.3) -> [Int] {
        var sums = GeneSums(genes: m.genes)
        sums.add(m) { x, _ in Double(x) }
        let trend = SeuratV3Trend(sums, span: span)
        var clipped = GeneSums(genes: m.genes)
        clipped.add(m) { x, j in trend.clip(x, gene: j) }
        return trend.select(clipped: clipped, count: count)
    }

    /// seurat_v3's expected variance per gene (the LOESS trend), from the counts' sums;
    /// values are then clipped and their variance standardised by it.
    public struct SeuratV3Trend: Sendable {
        public let mean: [Double]
        public let sd: [Double]
        /// √N: values are clipped at mean + √N · sd.
        public let limit: Double

        public init(_ sums: GeneSums, span: Double = 0.3) {
            let (mean, variance) = sums.moments()
            let varying = (0..<sums.genes).filter { variance[$0] > 0 }
            let fitted = loess(x: varying.map { log10(mean[$0]) }, y: varying.map { log10(variance[$0]) }, span: span)
            var expected = [Double](repeating: 0, count: sums.genes)
            for (k, j) in varying.enumerated() { expected[j] = fitted[k] }
            self.mean = mean
            sd = expected.map { (pow(10, $0)).squareRoot() }
            limit = Double(sums.cells).squareRoot()
        }

        /// A count clipped as seurat_v3 clips it.
        public func clip(_ x: Float, gene j: Int) -> Double { min(Double(x), sd[j] * limit + mean[j]) }

        /// The `count` genes with the largest standardised variance, in gene order.
        public func select(clipped: GeneSums, count: Int) -> [Int] {
            let n = Double(clipped.cells)
            let standardised = (0..<mean.count).map { (j: Int) -> Double in
                let (mu, sigma) = (mean[j], sd[j])
                let spread: Double = n * mu * mu + clipped.squares[j] - 2 * clipped.sum[j] * mu
                return spread / ((n - 1) * sigma * sigma)
            }
            let ranked = (0..<mean.count).sorted { standardised[$0] != standardised[$1] ? standardised[$0] > standardised[$1] : $0 < $1 }
            return ranked.prefix(count).sorted()
        }
    }

    /// Local quadratic regression with tricube weights over the ⌊span · n⌋ nearest points,
    /// evaluated at every x: the fitted values.
    static func loess(x: [Double], y: [Double], span: Double) -> [Double] {
        let n = x.count
        guard n > 0 else { return [] }
        let q = max(3, min(n, Int((Double(n) * span).rounded(.down))))
        var distances = [Double](repeating: 0, count: n)
        return (0..<n).map { i in
            for j in 0..<n { distances[j] = abs(x[j] - x[i]) }
            var sorted = distances
            sorted.sort()
            let radius = max(sorted[q - 1], 1e-12)
            // Weighted least squares for y ≈ b0 + b1 u + b2 u², u = x − x_i: normal equations.
            var s = [Double](repeating: 0, count: 5), t = [Double](repeating: 0, count: 3)
            for j in 0..<n where distances[j] < radius {
                let r = distances[j] / radius
                let w = pow(1 - r * r * r, 3)
                let u = x[j] - x[i]
                var power = w
                for k in 0..<5 { s[k] += power; if k < 3 { t[k] += power * y[j] }; power *= u }
            }
            return solveSymmetric3(s, t)
        }
    }

    /// b0 of the 3 × 3 system [[s0 s1 s2] [s1 s2 s3] [s2 s3 s4]] b = t, by Cramer's rule in Double.
    private static func solveSymmetric3(_ s: [Double], _ t: [Double]) -> Double {
        let a = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]
        func det(_ m: [[Double]]) -> Double {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        }
        let d = det(a)
        guard abs(d) > 1e-300 else { return t[0] / max(s[0], 1e-300) }
        var first = a
        for r in 0..<3 { first[r][0] = t[r] }
        return det(first) / d
    }

    /// The columns `genes` of a matrix, in that order.
    public static func selectGenes(_ m: CellMatrix, _ genes: [Int]) -> CellMatrix {
        var values = [Float](repeating: 0, count: m.cells * genes.count)
        for c in 0..<m.cells {
            for (k, j) in genes.enumerated() { values[c * genes.count + k] = m.values[c * m.genes + j] }
        }
        return CellMatrix(cells: m.cells, genes: genes.count, values: values)
    }
}
