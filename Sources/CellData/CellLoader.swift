import Foundation

/// Cells ready for training, and how they were made from the file.
public struct PreparedCells {
    public var matrix: CellMatrix
    /// The kept genes' names, when the file has them.
    public var geneNames: [String]?
    /// Each preprocessing step applied, in order, as scanpy would write it.
    public var steps: [String]
    /// One label per cell from the obs column asked for (to stratify a held-out split).
    public var labels: [String]?
    /// The source rows of the kept cells, in order (all rows unless a cell filter ran).
    public var cellRows: [Int]
    /// The kept cells' names, from a table's first column or a 10x folder's barcodes (an
    /// .h5ad's are in its obs, read when wanted).
    public var cellNames: [String]?
    /// Per gene, what the values were divided by (`scaleGenes`); multiply generated cells back.
    public var geneScale: [Float]?
    /// Per cell, the sum of its counts that `normalize_total` divided by (its library size),
    /// when the file held counts; nil for data that arrived log-normalised.
    public var librarySizes: [Float]?
    /// Whether the sizes were recovered from log-normalised values rather than counted.
    public var librarySizesRecovered = false

    public init(matrix: CellMatrix, geneNames: [String]?, steps: [String], labels: [String]? = nil, cellRows: [Int]? = nil) {
        self.matrix = matrix
        self.geneNames = geneNames
        self.steps = steps
        self.labels = labels
        self.cellRows = cellRows ?? Array(0..<matrix.cells)
    }
}

/// Reads training cells from `.h5ad`, a 10x folder (matrix.mtx + features.tsv +
/// barcodes.tsv, gzipped or not), a dense CSV/TSV table, or `.npy` (the reference's format,
/// used as it is). All but `.npy` are prepared the scanpy way: optional cell and gene
/// filters; raw counts normalised to 10⁴ per cell and log1p-transformed (log-normalised
/// data is used as it is); then the `topGenes` most variable genes.
public enum CellLoader {
    public static func load(_ path: String, _ preparation: Preparation = Preparation(),
                            labelsFrom column: String? = nil) throws -> PreparedCells {
        var prepared = try read(path, preparation, labelsFrom: column)
        if preparation.scaleGenes {
            let scale = Preprocessing.scaleToUnit(&prepared.matrix)
            prepared.geneScale = scale
            prepared.steps.append(Preparation.scaleStep)
        }
        return prepared
    }

    private static func read(_ path: String, _ preparation: Preparation, labelsFrom column: String?) throws -> PreparedCells {
        let lower = path.lowercased()
        if lower.hasSuffix(".npy") {
            if let column { throw HDF5Error("\(path) is a .npy: it has no obs column \(column) (only .h5ad files carry cell annotations)") }
            return PreparedCells(matrix: try CellMatrix.load(npy: path, role: "training cells"), geneNames: nil, steps: [])
        }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if lower.hasSuffix(".h5ad") {
            return try prepare(try readAnnData(path, source: preparation.source, labelsFrom: column), preparation, path: path)
        }
        if let column { throw TextFormatError("\(path) has no obs column \(column): only .h5ad files carry cell annotations") }
        if exists && isFolder.boolValue {
            return try prepare(text: try TextMatrix.tenX(path), name: "matrix.mtx", preparation, path: path)
        }
        if [".csv", ".tsv", ".txt"].contains(where: { lower.hasSuffix($0) || lower.hasSuffix($0 + ".gz") }) {
            return try prepare(text: try TextMatrix.table(path), name: "table", preparation, path: path)
        }
        throw TextFormatError("\(path): not a cell file this tool reads (.h5ad, a 10x folder, .csv/.tsv, .npy)\(exists ? "" : " — and it does not exist")")
    }

    private typealias Raw = (matrix: CellMatrix, geneNames: [String]?, labels: [String]?, name: String, alternatives: [String])

    /// A table or 10x folder, prepared, its cell names kept for the cells that remain.
    private static func prepare(text: LabelledMatrix, name: String, _ preparation: Preparation, path: String) throws -> PreparedCells {
        var prepared = try prepare((text.matrix, text.geneNames, nil, name, []), preparation, path: path)
        prepared.cellNames = prepared.cellRows.map { text.cellNames[$0] }
        return prepared
    }

    private static func readAnnData(_ path: String, source: String, labelsFrom column: String?) throws -> Raw {
        let file = try AnnDataFile(path: path)
        let (matrixName, alternatives) = try file.matrix(named: source)
        let matrix = try file.matrix(matrixName)
        let labels = try column.map { try file.labels($0) }
        if let column, let labels, labels.count != matrix.cells {
            throw HDF5Error("\(path): obs column \(column) has \(labels.count) values, but \(matrixName) has \(matrix.cells) cells")
        }
        return (matrix, file.geneNames(of: matrixName, genes: matrix.genes), labels, matrixName, alternatives)
    }

    /// Refuses NaN, infinite and negative values (scaled data), naming where they are.
    static func checkValues(_ m: CellMatrix, firstCell: Int, name: String, path: String, alternatives: [String]) throws {
        try checkValues(m.values, at: { (firstCell + $0 / m.genes, $0 % m.genes) }, name: name, path: path, alternatives: alternatives)
    }

    /// The same checks of a block's non-zero values.
    static func checkValues(_ block: SparseRows, firstCell: Int, name: String, path: String, alternatives: [String]) throws {
        try checkValues(block.values, at: { k in
            (firstCell + (block.pointers.lastIndex { $0 <= k } ?? 0), Int(block.indices[k]))
        }, name: name, path: path, alternatives: alternatives)
    }

    /// `at(i)`: the cell and gene of value i, for the message.
    private static func checkValues(_ values: [Float], at: (Int) -> (cell: Int, gene: Int), name: String, path: String,
                                    alternatives: [String]) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            // Read as Float32, a finite value past ±3.4e38 (a float64 file's) arrives as infinity.
            let value = values[i].isNaN ? "nan" : "\(values[i]) (or a value beyond Float32's ±3.4e38)"
            let (cell, gene) = at(i)
            throw HDF5Error("\(path): \(name) holds \(value) at cell \(cell), gene \(gene)")
        }
        if values.contains(where: { $0 < 0 }) {
            throw HDF5Error("\(path): \(name) holds negative values (scaled data); train on counts or log-normalised data\(alternatives.isEmpty ? "" : " instead: " + alternatives.joined(separator: " or "))")
        }
    }

    private static func prepare(_ raw: Raw, _ preparation: Preparation, path: String) throws -> PreparedCells {
        var (matrix, names, labels) = (raw.matrix, raw.geneNames, raw.labels)
        var rows = Array(0..<matrix.cells)
        try checkValues(matrix, firstCell: 0, name: raw.name, path: path, alternatives: raw.alternatives)
        var steps: [String] = []
        if preparation.minimumGenes > 0 {
            let kept = Preprocessing.cells(matrix, expressingAtLeast: preparation.minimumGenes)
            matrix = HeldOutSplit.rows(matrix, kept)
            labels = labels.map { all in kept.map { all[$0] } }
            rows = kept
            steps.append(preparation.filterCellsStep)
        }
        if preparation.minimumCells > 0 {
            let kept = Preprocessing.genes(matrix, expressedInAtLeast: preparation.minimumCells)
            matrix = Preprocessing.selectGenes(matrix, kept)
            names = names.map { all in kept.map { all[$0] } }
            steps.append(preparation.filterGenesStep)
        }
        guard matrix.cells > 0, matrix.genes > 0 else {
            throw HDF5Error("\(path): no cells or no genes are left after filtering (\(matrix.cells) × \(matrix.genes))")
        }
        guard matrix.values.contains(where: { $0 != 0 }) else {
            throw HDF5Error("\(path): \(raw.name) holds only zeros (\(matrix.cells) × \(matrix.genes)): there is no expression to learn")
        }
        let (whole, largest) = (Preprocessing.isCounts(matrix), matrix.values.max() ?? 0)
        let counts = Preprocessing.isUnlogged(wholeNumbers: whole, largest: largest)
        if counts && !whole { steps.append(Preprocessing.unloggedStep(largest: largest)) }
        if preparation.flavor == .seuratV3, let topGenes = preparation.topGenes, topGenes < matrix.genes {
            guard counts else {
                throw HDF5Error("\(path): \(raw.name) is not raw counts, and the seurat_v3 flavour needs them (--source raw, or --flavor seurat)")
            }
            let kept = Preprocessing.highlyVariableGenesV3(matrix, count: topGenes)
            guard !kept.isEmpty else { throw noVariableGenes(matrix.cells) }
            matrix = Preprocessing.selectGenes(matrix, kept)
            names = names.map { all in kept.map { all[$0] } }
            steps.append(preparation.highlyVariableStep(topGenes))
        }
        var librarySizes: [Float]?, sizesRecovered = false
        if counts {
            librarySizes = Preprocessing.totals(matrix)
            Preprocessing.normalizeTotal(&matrix, target: preparation.targetSum)
            Preprocessing.log1p(&matrix)
            steps += preparation.normaliseSteps
        } else if let recovered = Preprocessing.recoveredLibrarySizes(matrix, target: preparation.targetSum) {
            librarySizes = recovered
            sizesRecovered = true
        }
        if preparation.flavor == .seurat, let topGenes = preparation.topGenes, topGenes < matrix.genes {
            let kept = Preprocessing.highlyVariableGenes(matrix, count: topGenes)
            guard !kept.isEmpty else { throw noVariableGenes(matrix.cells) }
            matrix = Preprocessing.selectGenes(matrix, kept)
            names = names.map { all in kept.map { all[$0] } }
            steps.append(preparation.highlyVariableStep(topGenes))
        }
        func noVariableGenes(_ cells: Int) -> HDF5Error {
            HDF5Error("\(path): highly_variable_genes kept no genes: none varies across \(cells == 1 ? "a single cell" : "these \(cells) cells") (--top-genes 0 keeps them all)")
        }
        var prepared = PreparedCells(matrix: matrix, geneNames: names, steps: steps, labels: labels, cellRows: rows)
        prepared.librarySizes = librarySizes
        prepared.librarySizesRecovered = sizesRecovered
        return prepared
    }
}
