import CellData
import Foundation

/// How well generated counts reproduce real counts cell by cell: the distributions of
/// library size (counts summed over the genes compared) and of genes detected (non-zero),
/// each as the Wasserstein-1 distance between the two samples of ln(1 + value).
public struct CountLevelComparison: Equatable, Sendable {
    public var librarySizeWasserstein: Double
    public var genesDetectedWasserstein: Double

    /// `real` and `generated` hold counts over the same genes.
    public init(real: CellMatrix, generated: CellMatrix) {
        precondition(real.genes == generated.genes, "CountLevelComparison: \(real.genes) and \(generated.genes) genes")
        func logs(_ values: [Double]) -> [Double] { values.map { Foundation.log1p($0) } }
        librarySizeWasserstein = Wasserstein.distance(logs(CountStatistics.totals(real)), logs(CountStatistics.totals(generated)))
        genesDetectedWasserstein = Wasserstein.distance(logs(CountStatistics.detected(real)), logs(CountStatistics.detected(generated)))
    }
}
