import CellData
import Kernels

/// Whether generated cells keep the real cells' gene–gene co-expression: the Pearson
/// correlation, and the RMSE, between the upper triangles of the two gene–gene
/// correlation matrices over the real cells' most variable genes. Per-gene statistics
/// alone cannot tell a good generator from one that shuffles each gene independently;
/// this can.
public struct GeneCorrelationStructure: Equatable, Sendable, Codable {
    /// The genes compared (indices into the matrices), most variable in the real cells first.
    public var genes: [Int]
    public var pearson: Double
    public var rmse: Double

    public init(real: CellMatrix, generated: CellMatrix, topGenes: Int = 500) {
        precondition(real.genes == generated.genes, "GeneCorrelationStructure: \(real.genes) and \(generated.genes) genes")
        let variances = GeneColumns(real).variances
        genes = Array(real.genes == 0 ? [] : (0..<real.genes).sorted { variances[$0] != variances[$1] ? variances[$0] > variances[$1] : $0 < $1 }
            .prefix(topGenes))
        let a = Self.correlations(real, genes), b = Self.correlations(generated, genes)
        var upperA: [Double] = [], upperB: [Double] = []
        let k = genes.count
        for i in 0..<k { for j in (i + 1)..<max(k, i + 1) { upperA.append(a[i * k + j]); upperB.append(b[i * k + j]) } }
        pearson = Correlation.pearson(upperA, upperB)
        rmse = (zip(upperA, upperB).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(max(1, upperA.count))).squareRoot()
    }

    /// The k × k Pearson correlation matrix of the columns `genes`, as Zᵀ·Z of the
    /// standardised columns (one sgemm). A constant gene correlates 0 with every other.
    static func correlations(_ m: CellMatrix, _ genes: [Int]) -> [Double] {
        let (n, k) = (m.cells, genes.count)
        let z = FloatBuffer(count: n * k)
        for (column, j) in genes.enumerated() {
            var mean = 0.0
            for c in 0..<n { mean += Double(m.values[c * m.genes + j]) }
            mean /= Double(n)
            var squares = 0.0
            for c in 0..<n { let d = Double(m.values[c * m.genes + j]) - mean; squares += d * d }
            let scale = squares > 0 ? 1 / squares.squareRoot() : 0
            for c in 0..<n { z[c * k + column] = Float((Double(m.values[c * m.genes + j]) - mean) * scale) }
        }
        let product = FloatBuffer(count: k * k)
        Matmul.gemm(.transposed, .none, m: k, n: k, k: n, a: z.constPointer, lda: k, b: z.constPointer, ldb: k,
                    c: product.pointer, ldc: k)
        return product.array.map(Double.init)
    }
}
