import Foundation

/// A file's prepared cells, read whole into memory or streamed from an `.h5ad` a block at a
/// time, or the cells a run kept of it. Everything that reads a run's cells again (resume,
/// evaluation, the workbench) goes through this, so a streamed run never loads its file whole.
public enum CellSource {
    case whole(PreparedCells)
    case streamed(StreamedCells)
    case kept(KeptCells)

    /// Opens `path` prepared as `preparation`; streamed, in blocks of `streamBlockCells`
    /// rows, when that is given.
    public static func open(_ path: String, _ preparation: Preparation, labelsFrom column: String? = nil,
                            streamBlockCells: Int? = nil, progress: (String) -> Void = { _ in }) throws -> CellSource {
        guard let blockCells = streamBlockCells else { return .whole(try CellLoader.load(path, preparation, labelsFrom: column)) }
        guard path.lowercased().hasSuffix(".h5ad") else {
            throw HDF5Error("\(path): only .h5ad files can be streamed; load it whole (--in-memory)")
        }
        return .streamed(try StreamedCells(path: path, preparation: preparation, labelsFrom: column,
                                           blockCells: blockCells, progress: progress))
    }

    /// Cells already in memory, as they are (no preparation steps, no gene names).
    public static func matrix(_ matrix: CellMatrix) -> CellSource {
        .whole(PreparedCells(matrix: matrix, geneNames: nil, steps: []))
    }

    /// Whether reading `path` whole would take more than a quarter of this machine's memory
    /// (its matrix as dense Float32), which is when a run streams it by default.
    public static func isLarge(_ path: String, source: String = "X") -> Bool {
        guard path.lowercased().hasSuffix(".h5ad"), let file = try? AnnDataFile(path: path),
              let name = try? file.matrix(named: source).name, let (cells, genes) = try? file.shape(of: name) else { return false }
        return Double(cells) * Double(genes) * 4 > Double(ProcessInfo.processInfo.physicalMemory) / 4
    }

    public var cells: Int {
        switch self { case .whole(let p): p.matrix.cells; case .streamed(let s): s.cells; case .kept(let k): k.cells }
    }
    public var genes: Int {
        switch self { case .whole(let p): p.matrix.genes; case .streamed(let s): s.genes; case .kept(let k): k.matrix.genes }
    }
    public var geneNames: [String]? {
        switch self { case .whole(let p): p.geneNames; case .streamed(let s): s.geneNames; case .kept(let k): k.geneNames }
    }
    /// The preparation steps and the genes' scale, as read (kept cells: in the run's config).
    public var steps: [String] {
        switch self { case .whole(let p): p.steps; case .streamed(let s): s.steps; case .kept: [] }
    }
    public var labels: [String]? {
        switch self { case .whole(let p): p.labels; case .streamed(let s): s.labels; case .kept(let k): k.labels }
    }
    public var geneScale: [Float]? {
        switch self { case .whole(let p): p.geneScale; case .streamed(let s): s.geneScale; case .kept: nil }
    }
    /// Whether every prepared value is ≥ 0 (streamed files are counts or log-normalised, so always).
    public var nonNegative: Bool {
        switch self {
        case .whole(let p): p.matrix.values.allSatisfy { $0 >= 0 }
        case .streamed: true
        case .kept(let k): k.matrix.values.allSatisfy { $0 >= 0 }
        }
    }

    /// The library sizes (counts summed before normalising) of cells `indices`, in that
    /// order; nil when the file held no counts (a streamed file's are read from it again).
    public func librarySizes(_ indices: [Int]) throws -> [Float]? {
        switch self {
        case .whole(let p): p.librarySizes.map { sizes in indices.map { sizes[$0] } }
        case .streamed(let s): try s.librarySizes(indices)
        case .kept(let k): k.librarySizes(indices)
        }
    }

    /// The prepared cells `indices`, in that order.
    public func rows(_ indices: [Int]) throws -> CellMatrix {
        switch self {
        case .whole(let p): HeldOutSplit.rows(p.matrix, indices)
        case .streamed(let s): try s.rows(indices)
        case .kept(let k): try k.rows(indices)
        }
    }
}
