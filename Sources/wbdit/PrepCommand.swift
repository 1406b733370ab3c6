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
        names. The same steps run when `wbdit train` is given a raw file.

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

    func run() throws {
        let preparation = try options.preparation()
        guard out.lowercased().hasSuffix(".h5ad") else { throw InputError("--out must name an .h5ad file (got \(out))") }
        let prepared = try CellLoader.load(input, preparation, labelsFrom: labels)
        // As `train` does, a file with fewer genes than --top-genes keeps them all.
        let allKept = preparation.topGenes.flatMap { top in
            prepared.matrix.genes <= top ? "all \(prepared.matrix.genes) genes kept (no more than --top-genes \(top))" : nil
        }
        var categories: [(name: String, values: [String])] = [], strings = categories
        var numbers: [(name: String, values: [Double])] = []
        var cellNames = prepared.cellNames
        if input.lowercased().hasSuffix(".h5ad") {
            let file = try AnnDataFile(path: input)
            let rows = prepared.cellRows
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
        try AnnDataWriter.write(prepared.matrix, to: out, cellNames: cellNames, geneNames: prepared.geneNames,
                                categories: categories, strings: strings, numbers: numbers, compress: true)
        let done = prepared.steps.isEmpty ? "as read" : "after " + prepared.steps.joined(separator: ", ")
        print("wrote \(out): \(prepared.matrix.cells) cells × \(prepared.matrix.genes) genes \(done)\(allKept.map { "; " + $0 } ?? "")")
    }
}
