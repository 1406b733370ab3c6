/// Generated cells as the Samples screen lists them, each with what was measured about it.
public struct SampleSet: Equatable, Sendable {
    public struct Cell: Equatable, Sendable {
        /// Its UMI count over the genes when cells come out as counts; otherwise Σ expm1(x)
        /// over the genes, the cell's total on the normalised scale (log1p data).
        public var librarySize: Double
        /// Genes with a value above zero.
        public var genesDetected: Int
        /// The nearest held-out real cell (Euclidean, over all genes) and its distance.
        public var nearestReal: Int
        public var nearestDistance: Double

        public init(librarySize: Double, genesDetected: Int, nearestReal: Int, nearestDistance: Double) {
            self.librarySize = librarySize
            self.genesDetected = genesDetected
            self.nearestReal = nearestReal
            self.nearestDistance = nearestDistance
        }
    }

    public var step: Int
    public var genes: Int
    /// [cells, genes], in the data's units.
    public var values: [Float]
    public var cells: [Cell]
    /// Where the trainer wrote them.
    public var path: String
    /// The type each cell was asked to be, when a conditional run generated them.
    public var requested: [String]?
    /// Whether `values` are counts drawn by the run's count model, log-normalised (set
    /// once measured); otherwise they are the network's own cells.
    public var isCounts = false

    /// The number of cells (their figures in `cells` arrive once measured).
    public var count: Int { genes == 0 ? 0 : values.count / genes }
    /// Whether every cell's figures are in.
    public var isMeasured: Bool { cells.count == count }

    public init(step: Int, genes: Int, values: [Float], cells: [Cell], path: String, requested: [String]? = nil) {
        self.requested = requested
        self.step = step
        self.genes = genes
        self.values = values
        self.cells = cells
        self.path = path
    }

    public func value(cell: Int, gene: Int) -> Float { values[cell * genes + gene] }
}

/// The held-out real cells the workbench compares against.
public struct ReferenceCells: Equatable, Sendable {
    /// [cells, genes].
    public var values: [Float]
    public var genes: Int
    public var geneNames: [String]
    /// Per cell, its label (cell type), when the run was stratified by a column.
    public var labels: [String]?
    /// The label column's name.
    public var labelColumn: String?
    /// Real cells of each type in the whole data set, training and held out (what a
    /// conditional run learned each type from, and what the sample form lists).
    public var typeCounts: [String: Int] = [:]
    /// How many cells the run holds out: more than `count` when a large run's map shows a
    /// fixed draw of them (`EvaluationCells.heldOutLimit`).
    public var heldOutTotal: Int?

    public var count: Int { genes == 0 ? 0 : values.count / genes }

    /// What the map shows: "held-out cells", or "4000 of 100000 held-out cells".
    public var shownCells: String {
        guard let heldOutTotal, heldOutTotal > count else { return "held-out cells" }
        return "\(count) of \(heldOutTotal) held-out cells"
    }

    public init(values: [Float], genes: Int, geneNames: [String], labels: [String]?, labelColumn: String?) {
        self.values = values
        self.genes = genes
        self.geneNames = geneNames
        self.labels = labels
        self.labelColumn = labelColumn
    }

    /// The distinct labels, most common first (ties by name), with their counts.
    public var labelCounts: [(label: String, count: Int)] {
        guard let labels else { return [] }
        var counts: [String: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }.sorted { ($0.count, $1.label) > ($1.count, $0.label) }
    }

    public func value(cell: Int, gene: Int) -> Float { values[cell * genes + gene] }
}
