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
}

/// How to turn a file into training cells; saved with a run so that a resumed run
/// prepares its data the same way.
public struct Preparation: Codable, Equatable, Sendable {
    /// With .h5ad: the matrix (X, raw or raw/X, layers/NAME).
    public var source = "X"
    /// Keep this many highly variable genes (nil: all).
    public var topGenes: Int? = 2000
    /// Drop cells expressing fewer genes (0: off).
    public var minimumGenes = 0
    /// Drop genes expressed in fewer cells (0: off).
    public var minimumCells = 0

    public init(source: String = "X", topGenes: Int? = 2000, minimumGenes: Int = 0, minimumCells: Int = 0) {
        self.source = source
        self.topGenes = topGenes
        self.minimumGenes = minimumGenes
        self.minimumCells = minimumCells
    }
}

/// Reads training cells from `.npy` (the reference's format, used as it is) or `.h5ad`
/// (preprocessed the scanpy way: raw counts are normalised to 10⁴ per cell and
/// log1p-transformed, log-normalised data is used as it is, then the `topGenes` most
/// variable genes are kept).
public enum CellLoader {
    /// Filters run first, on the file's values: cells with fewer than `minimumGenes`
    /// expressed genes, then genes expressed in fewer than `minimumCells` cells, are dropped.
    public static func load(_ path: String, _ preparation: Preparation = Preparation(),
                            labelsFrom column: String? = nil) throws -> PreparedCells {
        let (source, topGenes) = (preparation.source, preparation.topGenes)
        let (minimumGenes, minimumCells) = (preparation.minimumGenes, preparation.minimumCells)
        guard path.lowercased().hasSuffix(".h5ad") else {
            if let column { throw HDF5Error("\(path) is a .npy: it has no obs column \(column) to stratify by") }
            return PreparedCells(matrix: try CellMatrix.load(npy: path, role: "training cells"), geneNames: nil, steps: [])
        }
        let file = try AnnDataFile(path: path)
        let matrixName = source == "raw" ? "raw/X" : source
        let available = try file.sources()
        guard available.contains(matrixName) else {
            throw HDF5Error("\(path) has no \(matrixName) (it has \(available.joined(separator: ", ")))")
        }
        var matrix = try file.matrix(matrixName)
        if let i = matrix.values.firstIndex(where: { !$0.isFinite }) {
            throw HDF5Error("\(path): \(matrixName) holds \(matrix.values[i]) at cell \(i / matrix.genes), gene \(i % matrix.genes)")
        }
        if matrix.values.contains(where: { $0 < 0 }) {
            let alternatives = available.filter { $0 != matrixName }.map { $0 == "raw/X" ? "--source raw" : "--source \($0)" }
            throw HDF5Error("\(path): \(matrixName) holds negative values (scaled data); train on counts or log-normalised data\(alternatives.isEmpty ? "" : " instead: " + alternatives.joined(separator: " or "))")
        }
        var steps: [String] = []
        var names = matrixName == "raw/X" ? (try? file.names("raw/var")) ?? (try? file.names("var")) : try? file.names("var")
        if names?.count != matrix.genes { names = nil }
        var labels = try column.map { try file.column($0) }
        if minimumGenes > 0 {
            let kept = Preprocessing.cells(matrix, expressingAtLeast: minimumGenes)
            matrix = HeldOutSplit.rows(matrix, kept)
            labels = labels.map { all in kept.map { all[$0] } }
            steps.append("filter_cells(min_genes=\(minimumGenes))")
        }
        if minimumCells > 0 {
            let kept = Preprocessing.genes(matrix, expressedInAtLeast: minimumCells)
            matrix = Preprocessing.selectGenes(matrix, kept)
            names = names.map { all in kept.map { all[$0] } }
            steps.append("filter_genes(min_cells=\(minimumCells))")
        }
        guard matrix.cells > 0, matrix.genes > 0 else {
            throw HDF5Error("\(path): no cells or no genes are left after filtering (\(matrix.cells) × \(matrix.genes))")
        }
        if Preprocessing.isCounts(matrix) {
            Preprocessing.normalizeTotal(&matrix)
            Preprocessing.log1p(&matrix)
            steps += ["normalize_total(target_sum=1e4)", "log1p"]
        }
        var geneNames = names
        if let topGenes, topGenes < matrix.genes {
            let kept = Preprocessing.highlyVariableGenes(matrix, count: topGenes)
            matrix = Preprocessing.selectGenes(matrix, kept)
            geneNames = geneNames.map { all in kept.map { all[$0] } }
            steps.append("highly_variable_genes(flavor=seurat, n_top_genes=\(topGenes))")
        }
        return PreparedCells(matrix: matrix, geneNames: geneNames, steps: steps, labels: labels)
    }
}
