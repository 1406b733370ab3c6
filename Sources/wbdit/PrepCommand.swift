import ArgumentParser
import CellData
import Foundation

/// `wbdit prep`: preprocess cells the scanpy way and write the result as .h5ad.
struct Prep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Preprocess cells as scanpy would and write them as .h5ad.",
        discussion: """
        Writes what scanpy would hold in X after the same steps — the log-normalised values \
        of the selected genes — keeping obs (for the cells kept) and the selected genes' \
        names. The same steps run when `wbdit train` is given a raw file. An .h5ad \
        larger than a quarter of memory is streamed as `train` streams it (CSR blocks, \
        bit for bit the values read whole), and written a block at a time.

        Example:
          wbdit prep zeisel2015_counts.h5ad --out zeisel2015.h5ad --top-genes 2000
        """
    )

    @Argument(help: "Cells: .h5ad, a 10x folder or a .csv/.tsv table.")
    var input: String
    @Option(help: "Where to write the prepared cells (.h5ad).")
    var out: String
    @OptionGroup var options: PreparationOptions
    @Option(help: "With .h5ad: an obs column of cell labels that must exist (it is kept, as all obs columns are).")
    var labels: String?

    @Flag(help: "With .h5ad: read the cells a block at a time, or whole (default: stream when the matrix would fill more than a quarter of memory).")
    var reading: Reading?

    enum Reading: EnumerableFlag {
        case streaming, inMemory
        static func name(for value: Reading) -> NameSpecification { value == .streaming ? .customLong("streaming") : .customLong("in-memory") }
    }

    func run() throws {
        let preparation = try options.preparation()
        guard out.lowercased().hasSuffix(".h5ad") else { throw InputError("--out must name an .h5ad file (got \(out))") }
        let streams = reading.map { $0 == .streaming } ?? CellSource.isLarge(input, source: preparation.source)
        guard !streams || input.lowercased().hasSuffix(".h5ad") else { throw InputError("--streaming reads .h5ad files only (got \(input))") }
        let progress = ProgressLine()
        let cells: CellSource = streams
            ? .streamed(try StreamedCells(path: input, preparation: preparation, labelsFrom: labels, progress: { progress.update($0) }))
            : .whole(try CellLoader.load(input, preparation, labelsFrom: labels))
        // Each prepared cell's row in the file, and its name when the loader read one.
        let (cellRows, loadedNames): ([Int], [String]?) = switch cells {
        case .whole(let p): (p.cellRows, p.cellNames)
        case .streamed(let s): (s.cellRows, nil)
        case .kept: preconditionFailure("prep reads a file, not a run's kept cells")
        }
        // As `train` does, a file with fewer genes than --top-genes keeps them all.
        let selected = cells.steps.contains { $0.hasPrefix("highly_variable_genes") }
        let allKept = preparation.topGenes.flatMap { top in
            !selected && cells.genes <= top ? "all \(cells.genes) genes kept (no more than --top-genes \(top))" : nil
        }
        var categories: [(name: String, values: [String])] = [], strings = categories
        var numbers: [(name: String, values: [Double])] = []
        var cellNames = loadedNames
        if input.lowercased().hasSuffix(".h5ad") {
            let file = try AnnDataFile(path: input)
            let rows = cellRows
            let names = try file.names("obs")
            cellNames = rows.map { names[$0] }
            for column in try file.columns("obs") {
                switch try file.kind(ofColumn: column) {
                case .numbers:
                    let values = try file.numbers(column)
                    numbers.append((column, rows.map { values[$0] }))
                case .categorical:
                    let values = try file.column(column)
                    categories.append((column, rows.map { values[$0] }))
                case .strings:
                    let values = try file.column(column)
                    strings.append((column, rows.map { values[$0] }))
                }
            }
        }
        let writer = try AnnDataWriter(path: out, cells: cells.cells, genes: cells.genes, compress: true)
        for first in stride(from: 0, to: cells.cells, by: Self.blockCells) {
            try writer.append(try cells.rows(Array(first..<min(cells.cells, first + Self.blockCells))))
            progress.update("writing \(out): \(min(cells.cells, first + Self.blockCells))/\(cells.cells) cells")
        }
        progress.finish()
        try writer.finish(cellNames: cellNames, geneNames: cells.geneNames, categories: categories, strings: strings, numbers: numbers)
        let done = cells.steps.isEmpty ? "as read" : "after " + cells.steps.joined(separator: ", ")
        print("wrote \(out): \(cells.cells) cells × \(cells.genes) genes \(done)\(allKept.map { "; " + $0 } ?? "")")
    }

    /// Cells prepared and written at once.
    static let blockCells = 8192
}
