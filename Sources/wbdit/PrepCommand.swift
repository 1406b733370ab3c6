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
    @Option(help: "With .h5ad: the matrix to read: X, raw (raw/X) or layers/NAME.")
    var source: String = "X"
    @Option(name: .customLong("top-genes"), help: "Keep this many highly variable genes (0 keeps all).")
    var topGenes: Int = 2000
    @Option(help: "Highly-variable-gene flavour (seurat; seurat_v3 is not available yet).")
    var flavor: String = "seurat"
    @Option(name: .customLong("target-sum"), help: "What normalize_total scales each cell's counts to.")
    var targetSum: Double = 1e4
    @Option(name: .customLong("min-genes"), help: "Drop cells expressing fewer genes.")
    var minGenes: Int = 0
    @Option(name: .customLong("min-cells"), help: "Drop genes expressed in fewer cells.")
    var minCells: Int = 0

    func run() throws {
        guard flavor == "seurat" else { throw InputError("--flavor \(flavor): only seurat is available (seurat_v3 is planned)") }
        guard topGenes >= 0, minGenes >= 0, minCells >= 0 else { throw InputError("--top-genes, --min-genes and --min-cells must be 0 or more") }
        guard targetSum > 0, targetSum.isFinite else { throw InputError("--target-sum must be positive (got \(targetSum))") }
        guard out.lowercased().hasSuffix(".h5ad") else { throw InputError("--out must name an .h5ad file (got \(out))") }
        do {
            let preparation = Preparation(source: source, topGenes: topGenes == 0 ? nil : topGenes,
                                          minimumGenes: minGenes, minimumCells: minCells, targetSum: targetSum)
            let prepared = try CellLoader.load(input, preparation)
            if topGenes > 0, prepared.matrix.genes < topGenes, prepared.steps.last?.hasPrefix("highly") != true {
                throw InputError("--top-genes \(topGenes) asks for more genes than the \(prepared.matrix.genes) there are")
            }
            var categories: [(name: String, values: [String])] = []
            var numbers: [(name: String, values: [Double])] = []
            var cellNames: [String]? = nil
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
                    case .categorical, .strings:
                        let values = try file.column(column)
                        categories.append((column, rows.map { values[$0] }))
                    }
                }
            }
            try AnnDataWriter.write(prepared.matrix, to: out, cellNames: cellNames, geneNames: prepared.geneNames,
                                    categories: categories, numbers: numbers, compress: true)
            print("wrote \(out): \(prepared.matrix.cells) cells × \(prepared.matrix.genes) genes after \(prepared.steps.joined(separator: ", "))")
        } catch let error as HDF5Error {
            throw InputError(error.description)
        } catch let error as TextFormatError {
            throw InputError(error.description)
        }
    }
}
