import CellData
import Foundation
import Kernels

/// What one unit of a network (or a baseline direction) stands for, read in genes and
/// cell types from its activation across cells:
///
/// - the genes that track it: Spearman's ρ over the cells between its activation and each
///   gene's expression, the `topGenes` strongest by |ρ| with their sign;
/// - the type where it is most specific: the ROC AUC of its activation for telling that
///   type's cells from the rest (0.5: no better than chance), among types of at least
///   `smallestType` cells;
/// - enrichment: whether its `enrichmentGenes` most positively correlated genes hold more of
///   one type's `markersPerType` marker genes than chance (hypergeometric upper tail over
///   the genes, Bonferroni over the types, Benjamini–Hochberg over the units read
///   together); with fewer than 500 genes both counts are a tenth of the genes.
public struct UnitMeaning: Sendable {
    public let index: Int
    /// The strongest-tracking genes, best first: gene index and ρ.
    public let topGenes: [(gene: Int, rho: Double)]
    /// The type where the unit is most specific, and its AUC there; nil for a unit that is
    /// constant over the cells (a dead unit).
    public let type: String?
    public let specificity: Double
    /// The type whose markers its genes are enriched for (the smallest p), its p-value
    /// (Bonferroni over the types) and q-value (BH over the units read together).
    public let enrichedType: String?
    public let pValue: Double
    public private(set) var qValue: Double

    public init(index: Int, topGenes: [(gene: Int, rho: Double)], type: String?, specificity: Double, enrichedType: String?,
                pValue: Double, qValue: Double) {
        (self.index, self.topGenes, self.type, self.specificity) = (index, topGenes, type, specificity)
        (self.enrichedType, self.pValue, self.qValue) = (enrichedType, pValue, qValue)
    }

    public var isEnriched: Bool { qValue <= UnitMeaning.enrichmentLevel }
    /// Whether its activation tells one type from the rest with an AUC of at least `specificLevel`.
    public var isSpecific: Bool { specificity >= UnitMeaning.specificLevel }

    public static let enrichmentLevel = 0.05
    public static let specificLevel = 0.9
    public static let topGenes = 20
    public static let enrichmentGenes = 20
    public static let markersPerType = 50
    /// Types with fewer cells than this are not ranked for specificity: an AUC on two
    /// cells says little.
    public static let smallestType = 10

    /// The markers the enrichment tests against: each type's `markersPerType` best genes
    /// by the Wilcoxon rank-sum score (scanpy's `rank_genes_groups` default) on `cells`.
    public static func markers(_ cells: CellMatrix, labels: [String]) -> [(type: String, genes: Set<Int>)] {
        let ranked = MarkerGenes(cells: cells, labels: labels, method: .wilcoxon)
        let count = selection(markersPerType, genes: cells.genes)
        return ranked.labels.sorted().map { ($0, Set(ranked.top($0, count))) }
    }

    /// `count` genes, or a tenth of `genes` when that is fewer (at least one).
    public static func selection(_ count: Int, genes: Int) -> Int { max(1, min(count, genes / 10)) }

    /// Reads every column of `activations` [cells, units] against `expression` [cells,
    /// genes] of the same cells, labelled `labels`; `markers` from `markers(_:labels:)`.
    public static func read(_ activations: CellMatrix, expression: CellMatrix, labels: [String],
                            markers: [(type: String, genes: Set<Int>)]) -> [UnitMeaning] {
        precondition(activations.cells == expression.cells && labels.count == expression.cells,
                     "UnitMeaning: \(activations.cells) activations, \(expression.cells) cells, \(labels.count) labels")
        let (n, units, genes) = (activations.cells, activations.genes, expression.genes)
        let (unitRanks, alive) = standardisedRanks(activations)
        let (geneRanks, _) = standardisedRanks(expression)
        // ρ for every unit and gene: the inner product of standardised rank columns.
        var rho = [Float](repeating: 0, count: units * genes)
        Matmul.gemm(.transposed, .none, m: units, n: genes, k: n, a: unitRanks, lda: units, b: geneRanks, ldb: genes,
                    c: &rho, ldc: genes)
        let types = Array(Set(labels)).sorted().filter { type in labels.filter { $0 == type }.count >= smallestType }
        let members = types.map { type in labels.map { $0 == type } }
        var read: [UnitMeaning] = []
        for u in 0..<units {
            let row = (0..<genes).map { Double(rho[u * genes + $0]) }
            let strongest = row.indices.sorted { (abs(row[$0]), -$0) > (abs(row[$1]), -$1) }.prefix(topGenes)
            guard alive[u], !types.isEmpty else {
                read.append(UnitMeaning(index: u, topGenes: [], type: nil, specificity: .nan, enrichedType: nil, pValue: 1, qValue: 1))
                continue
            }
            let column = (0..<n).map { Double(unitRanks[$0 * units + u]) }
            let aucs = members.map { NeighbourClassifierAUC.areaUnderCurve(scores: column, positives: $0) }
            let best = aucs.indices.max { (aucs[$0], -$0) < (aucs[$1], -$1) }!
            let drawn = Set(row.indices.sorted { (row[$0], -$0) > (row[$1], -$1) }.prefix(selection(enrichmentGenes, genes: genes)))
            let tests = markers.map { marker in
                Hypergeometric.upperTail(drawn.intersection(marker.genes).count, population: genes, successes: marker.genes.count,
                                         draws: drawn.count)
            }
            let enriched = tests.indices.min { (tests[$0], $0) < (tests[$1], $1) }
            let p = enriched.map { min(1, tests[$0] * Double(markers.count)) } ?? 1
            read.append(UnitMeaning(index: u, topGenes: strongest.map { ($0, row[$0]) }, type: types[best], specificity: aucs[best],
                                    enrichedType: enriched.map { markers[$0].type }, pValue: p, qValue: 1))
        }
        return corrected(read)
    }

    /// The units with their q-values from one Benjamini–Hochberg correction over all of them.
    public static func corrected(_ units: [UnitMeaning]) -> [UnitMeaning] {
        zip(units, FalseDiscoveryRate.benjaminiHochberg(units.map(\.pValue))).map { unit, q in
            var corrected = unit
            corrected.qValue = q
            return corrected
        }
    }

    /// Each column's ranks over the rows (ties averaged), centred and scaled to unit length,
    /// so that inner products are Spearman's ρ; and whether the column varies at all.
    static func standardisedRanks(_ m: CellMatrix) -> ([Float], [Bool]) {
        let (n, width) = (m.cells, m.genes)
        var out = [Float](repeating: 0, count: n * width)
        var alive = [Bool](repeating: false, count: width)
        for j in 0..<width {
            let ranks = Correlation.ranks((0..<n).map { Double(m.values[$0 * width + j]) })
            let mean = ranks.reduce(0, +) / Double(n)
            let norm = ranks.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }.squareRoot()
            guard norm > 0 else { continue }
            alive[j] = true
            for i in 0..<n { out[i * width + j] = Float((ranks[i] - mean) / norm) }
        }
        return (out, alive)
    }
}
