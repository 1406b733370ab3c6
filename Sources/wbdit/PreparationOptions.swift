import ArgumentParser
import CellData

extension Preparation.Flavor: ExpressibleByArgument {}

/// How cells are prepared from a file, the same flags for `prep` and `train`.
struct PreparationOptions: ParsableArguments {
    @Option(help: "With .h5ad: the matrix to read: X, raw (raw/X) or layers/NAME.")
    var source: String = "X"
    @Option(name: .customLong("top-genes"), help: "Keep this many highly variable genes (0, or a file with no more genes, keeps all).")
    var topGenes: Int = 2000
    @Option(help: "Highly-variable-gene flavour: seurat (on log-normalised data) or seurat_v3 (on counts).")
    var flavor: Preparation.Flavor = .seurat
    @Option(name: .customLong("target-sum"), help: "What normalize_total scales each cell's counts to.")
    var targetSum: Double = 1e4
    @Option(name: .customLong("min-genes"), help: "Drop cells expressing fewer genes (scanpy filter_cells).")
    var minGenes: Int = 0
    @Option(name: .customLong("min-cells"), help: "Drop genes expressed in fewer cells (scanpy filter_genes).")
    var minCells: Int = 0
    @Flag(name: .customLong("scale-genes"), help: "Divide each gene by its maximum so values lie in [0, 1] (generated cells are scaled back).")
    var scaleGenes = false

    /// The options as a `Preparation`, after checking them.
    func preparation() throws -> Preparation {
        guard topGenes >= 0, minGenes >= 0, minCells >= 0 else {
            throw InputError("--top-genes, --min-genes and --min-cells must be 0 or more")
        }
        guard targetSum > 0, targetSum.isFinite else { throw InputError("--target-sum must be positive (got \(targetSum))") }
        return Preparation(source: source, topGenes: topGenes == 0 ? nil : topGenes, minimumGenes: minGenes,
                           minimumCells: minCells, targetSum: targetSum, scaleGenes: scaleGenes, flavor: flavor)
    }
}
