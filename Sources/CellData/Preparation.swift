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
    /// What each cell's counts are normalised to sum to.
    public var targetSum = 1e4
    /// Divide every gene by its largest value, so the network sees [0, 1] (last step).
    public var scaleGenes = false
    /// How highly variable genes are chosen.
    public var flavor = Flavor.seurat

    /// scanpy's highly-variable-gene flavours.
    public enum Flavor: String, Codable, Sendable, CaseIterable {
        /// Binned normalised dispersion on log-normalised data.
        case seurat
        /// Standardised variance against a LOESS trend, on raw counts.
        case seuratV3 = "seurat_v3"
    }

    // What each step is recorded as, in scanpy's words (the same for whole and streamed reads).
    var filterCellsStep: String { "filter_cells(min_genes=\(minimumGenes))" }
    var filterGenesStep: String { "filter_genes(min_cells=\(minimumCells))" }
    var normaliseSteps: [String] { ["normalize_total(target_sum=\(targetSum == 1e4 ? "1e4" : String(targetSum)))", "log1p"] }
    func highlyVariableStep(_ topGenes: Int) -> String { "highly_variable_genes(flavor=\(flavor.rawValue), n_top_genes=\(topGenes))" }
    static let scaleStep = "scale each gene to [0, 1] (divide by its maximum)"

    public init(source: String = "X", topGenes: Int? = 2000, minimumGenes: Int = 0, minimumCells: Int = 0,
                targetSum: Double = 1e4, scaleGenes: Bool = false, flavor: Flavor = .seurat) {
        self.flavor = flavor
        self.source = source
        self.topGenes = topGenes
        self.minimumGenes = minimumGenes
        self.minimumCells = minimumCells
        self.targetSum = targetSum
        self.scaleGenes = scaleGenes
    }
}
