import Foundation
import Storage

/// Cells written to a `.npy` (float32, shape [cells, genes]) or a `.csv` (a header of gene
/// names, then one row per cell led by its name) a block of rows at a time, so that any
/// number of cells passes through bounded memory. Nothing is in place until `finish`.
public final class CellRowsFile {
    public enum Format { case npy, csv }
    public let format: Format
    public let cells: Int, genes: Int
    public private(set) var rowsWritten = 0
    private let file: AtomicFile

    /// `geneNames` head a `.csv` (gene0, gene1, … when nil).
    public init(path: String, format: Format, cells: Int, genes: Int, geneNames: [String]? = nil) throws {
        (self.format, self.cells, self.genes) = (format, cells, genes)
        file = try AtomicFile(path: path)
        switch format {
        case .npy: try file.append(NumpyArray.header(shape: [cells, genes]))
        case .csv:
            let names = geneNames ?? (0..<genes).map { "gene\($0)" }
            precondition(names.count == genes, "CellRowsFile: \(names.count) gene names for \(genes) genes")
            try file.append(Data(("cell," + names.joined(separator: ",") + "\n").utf8))
        }
    }

    /// The next `block.cells` rows; a `.csv` names them `cellNames`.
    public func append(_ block: CellMatrix, cellNames: [String]) throws {
        precondition(block.genes == genes && rowsWritten + block.cells <= cells && cellNames.count == block.cells,
                     "CellRowsFile: a block does not fit the file")
        switch format {
        case .npy: try block.values.withUnsafeBytes { try file.append(Data($0)) }
        case .csv:
            var text = ""
            for c in 0..<block.cells {
                text += cellNames[c]
                for j in 0..<genes { text += "," + String(block.values[c * genes + j]) }
                text += "\n"
            }
            try file.append(Data(text.utf8))
        }
        rowsWritten += block.cells
    }

    /// Puts the file in place, once every row is written.
    public func finish() throws {
        precondition(rowsWritten == cells, "CellRowsFile: \(rowsWritten) of \(cells) rows written")
        try file.commit()
    }
}
