/// The real cells a run's generated cells are judged against, in the data's own units: the
/// held-out cells with their types (up to `heldOutLimit` of them, a fixed draw, so that a
/// million-cell run is judged in bounded memory: the comparisons cost the square of the
/// cells); up to `basisLimit` training cells, whose principal components are the space
/// cells are compared in; and as many training cells as are held out, the peer: held-out
/// against peer is the floor ("as good as real") at the generated cells' own sample sizes;
/// with their library sizes when the data held counts. Every draw depends only on the split.
public struct EvaluationCells {
    public let heldOut: CellMatrix
    public let heldOutLabels: [String]?
    public let basis: CellMatrix
    public let peer: CellMatrix
    public let peerLabels: [String]?
    /// The held-out and peer cells' library sizes, when the data held counts.
    public let heldOutLibrarySizes: [Float]?
    public let peerLibrarySizes: [Float]?

    public static let basisLimit = 5000
    /// The most held-out cells compared (a run of 40,000 cells or more holds out more).
    public static let heldOutLimit = 4000

    /// The held-out cells compared: all of them, or a fixed draw of `heldOutLimit`.
    public static func heldOutCells(_ split: HeldOutSplit) -> [Int] { split.heldOutSample(heldOutLimit, salt: 0x4E1D) }

    /// The training cells whose components are the space (the first `count` of one fixed
    /// draw, so a smaller count gives a subset of a larger one).
    public static func basisCells(_ split: HeldOutSplit, _ count: Int) -> [Int] { split.trainingSample(count, salt: 0xBA5E) }
    /// The training cells held-out cells are compared with for the floor.
    public static func peerCells(_ split: HeldOutSplit) -> [Int] { split.trainingSample(heldOutCells(split).count, salt: 0x9EE7) }
    /// Every cell the comparison reads.
    public static func cellsRead(_ split: HeldOutSplit) -> [Int] {
        heldOutCells(split) + basisCells(split, basisLimit) + peerCells(split)
    }

    /// `geneScale`: the run's per-gene scale, undone so that every matrix is in the data's units.
    public init(_ prepared: CellSource, split: HeldOutSplit, geneScale: [Float]?) throws {
        func read(_ cells: [Int]) throws -> CellMatrix {
            var m = try prepared.rows(cells)
            if let geneScale { Preprocessing.unscale(&m.values, genes: m.genes, scale: geneScale) }
            return m
        }
        let (heldOutCells, peerCells) = (Self.heldOutCells(split), Self.peerCells(split))
        heldOut = try read(heldOutCells)
        basis = try read(Self.basisCells(split, Self.basisLimit))
        peer = try read(peerCells)
        heldOutLabels = prepared.labels.map { labels in heldOutCells.map { labels[$0] } }
        peerLabels = prepared.labels.map { labels in peerCells.map { labels[$0] } }
        heldOutLibrarySizes = try prepared.librarySizes(heldOutCells)
        peerLibrarySizes = try prepared.librarySizes(peerCells)
    }

    /// The held-out and peer cells' counts (normalised to `targetSum`, the run's
    /// normalize_total target), when the data held counts.
    public func counts(targetSum: Double) -> (heldOut: CellMatrix, peer: CellMatrix)? {
        guard let a = heldOutLibrarySizes, let b = peerLibrarySizes else { return nil }
        return (CountStatistics.counts(logNormalised: heldOut, librarySizes: a, targetSum: targetSum),
                CountStatistics.counts(logNormalised: peer, librarySizes: b, targetSum: targetSum))
    }
}
