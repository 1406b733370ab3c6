import Foundation
import Storage

/// The cells a run keeps of its data, prepared exactly as it prepared them, so that using
/// the trained model — sampling counts, evaluating, reporting, inspecting, browsing — needs
/// no training file: the held-out cells and the training cells the evaluations and the
/// count model read, with their library sizes, and every cell's label in the run's label
/// column (for the label mix). Stored in the run directory as `cells.h5ad` (the kept rows:
/// X the prepared values, gzip-compressed; obs `row`, the cell's index in the data,
/// `library_size` and the label column, which anndata and scanpy open) and `cells.json`
/// (the data's cell count and every cell's label).
public struct KeptCells {
    /// How many cells the data has; kept rows are indices into it.
    public let cells: Int
    /// The kept cells' indices in the data, ascending.
    public let rows: [Int]
    /// The kept cells' prepared values, in `rows`' order.
    public let matrix: CellMatrix
    public let geneNames: [String]?
    /// The obs column the labels come from, and every cell's label in it (not just the kept ones').
    public let labelColumn: String?
    public let labels: [String]?
    /// The kept cells' library sizes, in `rows`' order, when the data held counts.
    public let librarySizes: [Float]?
    private let position: [Int: Int]

    public static let matrixFile = "cells.h5ad", indexFile = "cells.json"

    public init(cells: Int, rows: [Int], matrix: CellMatrix, geneNames: [String]?, labelColumn: String?, labels: [String]?,
                librarySizes: [Float]?) {
        precondition(matrix.cells == rows.count && (librarySizes?.count ?? rows.count) == rows.count, "KeptCells: rows and matrix disagree")
        precondition(labels == nil || labels!.count == cells, "KeptCells: labels are every cell's")
        (self.cells, self.rows, self.matrix, self.geneNames) = (cells, rows, matrix, geneNames)
        (self.labelColumn, self.labels, self.librarySizes) = (labelColumn, labels, librarySizes)
        position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
    }

    /// Keeps the cells `rows` (any order, repeats allowed) of `source`, labelled by `labelColumn`.
    public init(keeping rows: [Int], of source: CellSource, labelColumn: String?) throws {
        let kept = Array(Set(rows)).sorted()
        self.init(cells: source.cells, rows: kept, matrix: try source.rows(kept), geneNames: source.geneNames,
                  labelColumn: source.labels == nil ? nil : labelColumn, labels: source.labels,
                  librarySizes: try source.librarySizes(kept))
    }

    /// Whether `folder` holds kept cells.
    public static func exist(in folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + indexFile)
    }

    /// The prepared cells `indices`, in that order; each must be kept.
    public func rows(_ indices: [Int]) throws -> CellMatrix {
        let g = matrix.genes
        var values = [Float]()
        values.reserveCapacity(indices.count * g)
        for cell in indices {
            guard let row = position[cell] else {
                throw KeptCellsError("cell \(cell) is not among the \(rows.count) cells the run keeps; reading it needs the training file")
            }
            values += matrix.values[(row * g)..<((row + 1) * g)]
        }
        return CellMatrix(cells: indices.count, genes: g, values: values)
    }

    /// The library sizes of cells `indices` (each kept), or nil without counts.
    public func librarySizes(_ indices: [Int]) -> [Float]? {
        librarySizes.map { sizes in indices.map { position[$0].map { sizes[$0] } ?? .nan } }
    }

    // MARK: - Files

    private struct Index: Codable {
        var cells: Int
        var labelColumn: String?
        /// Every cell's label as an index into `labelNames`.
        var labelCodes: [Int]?
        var labelNames: [String]?
        /// Whether the data named its genes (otherwise cells.h5ad names them gene0…).
        var geneNames: Bool?
    }

    /// Writes `cells.h5ad` and `cells.json` into `folder` (each atomically).
    public func write(to folder: String) throws {
        var numbers: [(name: String, values: [Double])] = [("row", rows.map(Double.init))]
        if let librarySizes { numbers.append(("library_size", librarySizes.map(Double.init))) }
        let categories = zip([labelColumn].compactMap { $0 }, [labels].compactMap { $0 }).map { column, all in
            (name: column, values: rows.map { all[$0] })
        }
        try AnnDataWriter.write(matrix, to: folder + "/" + Self.matrixFile, cellNames: rows.map { "cell\($0)" }, geneNames: geneNames,
                                categories: categories, numbers: numbers, compress: true)
        let names = labels.map { Array(Set($0)).sorted() }
        let code = Dictionary(uniqueKeysWithValues: (names ?? []).enumerated().map { ($1, $0) })
        let index = Index(cells: cells, labelColumn: labelColumn, labelCodes: labels?.map { code[$0]! }, labelNames: names,
                          geneNames: geneNames != nil)
        try AtomicFile.write(try JSONEncoder().encode(index), to: folder + "/" + Self.indexFile)
    }

    /// Reads the kept cells of `folder`.
    public init(folder: String) throws {
        let indexPath = folder + "/" + Self.indexFile, matrixPath = folder + "/" + Self.matrixFile
        guard let bytes = FileBytes.read(indexPath), let index = try? JSONDecoder().decode(Index.self, from: bytes) else {
            throw KeptCellsError("\(indexPath) cannot be read as the run's kept cells")
        }
        let file = try AnnDataFile(path: matrixPath)
        let matrix = try file.matrix()
        let rows = try file.numbers("row").map { Int($0) }
        let columns = try file.columns("obs")
        let sizes = columns.contains("library_size") ? try file.numbers("library_size").map(Float.init) : nil
        var labels: [String]?
        if let codes = index.labelCodes, let names = index.labelNames {
            guard codes.count == index.cells, codes.allSatisfy({ names.indices.contains($0) }) else {
                throw KeptCellsError("\(indexPath) holds labels that do not fit its \(index.cells) cells")
            }
            labels = codes.map { names[$0] }
        }
        guard rows.count == matrix.cells, rows.allSatisfy({ (0..<index.cells).contains($0) }), Set(rows).count == rows.count else {
            throw KeptCellsError("\(matrixPath): its rows do not fit the \(index.cells) cells of \(indexPath)")
        }
        self.init(cells: index.cells, rows: rows, matrix: matrix, geneNames: index.geneNames == false ? nil : file.geneNames(of: "X", genes: matrix.genes),
                  labelColumn: index.labelColumn, labels: labels, librarySizes: sizes)
    }
}

/// A run's kept cells are missing a cell asked for, or their files disagree (bad input: a
/// run edited or damaged by hand).
public struct KeptCellsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
