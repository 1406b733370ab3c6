import CellData
import Foundation

/// How well generated counts reproduce real counts: cell by cell, the distributions of
/// library size (counts summed over the genes compared) and of genes detected (non-zero),
/// each as the Wasserstein-1 distance between the two samples of ln(1 + value); and the
/// calibration of the noise, as scvi-tools' posterior predictive checks read it: each
/// gene's variance, generated over real (the median and 90th percentile over genes: 1 when
/// the noise is counted once, 2 when twice), the agreement of per-gene coefficients of
/// variation (Spearman ρ over genes) and the distance between the per-cell coefficients
/// of variation (W1; cells are not paired, so their distributions are compared).
public struct CountLevelComparison: Equatable, Sendable {
    public var librarySizeWasserstein: Double
    public var genesDetectedWasserstein: Double
    public var varianceRatioMedian: Double
    public var varianceRatioP90: Double
    public var geneCVSpearman: Double
    public var cellCVWasserstein: Double

    /// `real` and `generated` hold counts over the same genes.
    public init(real: CellMatrix, generated: CellMatrix) {
        precondition(real.genes == generated.genes, "CountLevelComparison: \(real.genes) and \(generated.genes) genes")
        func logs(_ values: [Double]) -> [Double] { values.map { Foundation.log1p($0) } }
        librarySizeWasserstein = Wasserstein.distance(logs(CountStatistics.totals(real)), logs(CountStatistics.totals(generated)))
        genesDetectedWasserstein = Wasserstein.distance(logs(CountStatistics.detected(real)), logs(CountStatistics.detected(generated)))
        let (a, b) = (GeneColumns(real), GeneColumns(generated))
        let varied = (0..<real.genes).filter { a.variances[$0] > 0 }
        let ratios = varied.map { b.variances[$0] / a.variances[$0] }.sorted()
        varianceRatioMedian = Percentile.of(sorted: ratios, 50)
        varianceRatioP90 = Percentile.of(sorted: ratios, 90)
        let expressed = (0..<real.genes).filter { a.means[$0] > 0 && b.means[$0] > 0 }
        func cv(_ columns: GeneColumns, _ j: Int) -> Double { columns.variances[j].squareRoot() / columns.means[j] }
        geneCVSpearman = Correlation.spearman(expressed.map { cv(a, $0) }, expressed.map { cv(b, $0) })
        let (realCV, generatedCV) = (Self.cellCV(real), Self.cellCV(generated))
        cellCVWasserstein = realCV.isEmpty || generatedCV.isEmpty ? .nan : Wasserstein.distance(realCV, generatedCV)
    }

    /// Per cell with any count: the standard deviation (ddof 1) of its counts over the
    /// genes divided by their mean.
    static func cellCV(_ m: CellMatrix) -> [Double] {
        let g = m.genes
        return (0..<m.cells).compactMap { c in
            let row = (0..<g).map { Double(m.values[c * g + $0]) }
            let mean = row.reduce(0, +) / Double(g)
            guard mean > 0, g > 1 else { return nil }
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)
            return variance.squareRoot() / mean
        }
    }
}
