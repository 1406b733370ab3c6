import CellData

/// How well generated cells reproduce real cells gene by gene: the per-gene statistics
/// that the generators' literature reports (definitions in docs/metrics.md).
public struct GeneLevelComparison: Equatable, Sendable, Codable {
    /// Pearson and Spearman correlation of the per-gene means.
    public var meanPearson, meanSpearman: Double
    /// Pearson and Spearman correlation of the per-gene variances (ddof 1).
    public var variancePearson, varianceSpearman: Double
    /// The 1-D Wasserstein distance of each gene's values, averaged over genes.
    public var meanWasserstein: Double
    /// The two-sample Kolmogorov–Smirnov statistic of each gene's values, averaged over genes.
    public var meanKolmogorovSmirnov: Double
    /// The mean absolute difference of the per-gene fractions of zeros.
    public var geneZeroFractionGap: Double
    /// Real minus generated: the mean fraction of zeros per cell.
    public var cellZeroFractionGap: Double

    /// Compares `real` and `generated`, which must have the same genes in the same order.
    public init(real: CellMatrix, generated: CellMatrix) {
        precondition(real.genes == generated.genes, "GeneLevelComparison: \(real.genes) and \(generated.genes) genes")
        let a = GeneColumns(real), b = GeneColumns(generated)
        meanPearson = Correlation.pearson(a.means, b.means)
        meanSpearman = Correlation.spearman(a.means, b.means)
        variancePearson = Correlation.pearson(a.variances, b.variances)
        varianceSpearman = Correlation.spearman(a.variances, b.variances)
        let columns = (0..<real.genes).map { (a.column($0), b.column($0)) }
        meanWasserstein = columns.map { Wasserstein.distance($0.0, $0.1) }.reduce(0, +) / Double(real.genes)
        meanKolmogorovSmirnov = columns.map { KolmogorovSmirnov.statistic($0.0, $0.1) }.reduce(0, +) / Double(real.genes)
        geneZeroFractionGap = zip(a.zeroFractions, b.zeroFractions).map { abs($0 - $1) }.reduce(0, +) / Double(real.genes)
        cellZeroFractionGap = a.meanCellZeroFraction - b.meanCellZeroFraction
    }
}

/// Per-gene views and statistics of a cells × genes matrix, in Double.
public struct GeneColumns {
    let matrix: CellMatrix
    public let means: [Double]
    /// ddof 1.
    public let variances: [Double]
    public let zeroFractions: [Double]
    public let meanCellZeroFraction: Double

    public init(_ m: CellMatrix) {
        matrix = m
        let (n, g) = (m.cells, m.genes)
        var sum = [Double](repeating: 0, count: g), zeros = [Double](repeating: 0, count: g)
        var cellZeros = 0.0
        for c in 0..<n {
            for j in 0..<g {
                let v = Double(m.values[c * g + j])
                sum[j] += v
                if v == 0 { zeros[j] += 1; cellZeros += 1 }
            }
        }
        let means = sum.map { $0 / Double(n) }
        var squares = [Double](repeating: 0, count: g)
        for c in 0..<n {
            for j in 0..<g {
                let d = Double(m.values[c * g + j]) - means[j]
                squares[j] += d * d
            }
        }
        self.means = means
        variances = squares.map { $0 / Double(max(1, n - 1)) }
        zeroFractions = zeros.map { $0 / Double(n) }
        meanCellZeroFraction = cellZeros / Double(n * g)
    }

    func column(_ j: Int) -> [Double] { (0..<matrix.cells).map { Double(matrix.values[$0 * matrix.genes + j]) } }
}
