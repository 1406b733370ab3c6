import CellData
import Kernels

/// Principal components of a cells × genes matrix, fitted on real cells and applied to
/// others: the data is centred on the fitted cells' means and projected on the top k
/// directions of largest variance.
///
/// Computed by randomised subspace iteration (Halko, Martinsson & Tropp 2011): a random
/// start of k + 10 directions, `iterations` rounds of multiplication by XᵀX with
/// re-orthonormalisation (each product one sgemm), then the exact eigendecomposition of
/// the small projected problem (`SymmetricEigen`, LAPACK, in Double).
public struct PCA: Sendable {
    /// The fitted cells' gene means [G].
    public let means: [Float]
    /// The components, row-major [k, G], each of unit length, largest variance first.
    public let components: [Float]
    /// The variance along each component (ddof 1), descending.
    public let explainedVariance: [Double]
    public let genes: Int

    public var count: Int { explainedVariance.count }

    public init(fitting m: CellMatrix, components k: Int, iterations: Int = 6, seed: UInt64 = 0) {
        let (n, g) = (m.cells, m.genes)
        let k = min(k, n, g)
        let l = min(k + 10, n, g)
        genes = g
        var means = [Float](repeating: 0, count: g)
        for c in 0..<n { for j in 0..<g { means[j] += m.values[c * g + j] } }
        for j in 0..<g { means[j] /= Float(n) }
        self.means = means
        let x = FloatBuffer(count: n * g)
        for c in 0..<n { for j in 0..<g { x[c * g + j] = m.values[c * g + j] - means[j] } }

        // Q [G, l]: an orthonormal basis of the dominant right-singular subspace of X.
        var generator = SeededGenerator(seed: seed)
        let q = FloatBuffer.init(count: g * l), y = FloatBuffer(count: n * l)
        generator.fillNormal(q.pointer, count: g * l)
        Self.orthonormalise(q, rows: g, columns: l)
        for _ in 0..<max(1, iterations) {
            Matmul.gemm(.none, .none, m: n, n: l, k: g, a: x.constPointer, lda: g, b: q.constPointer, ldb: l,
                        c: y.pointer, ldc: l)                                   // Y = X Q
            Matmul.gemm(.transposed, .none, m: g, n: l, k: n, a: x.constPointer, lda: g, b: y.constPointer, ldb: l,
                        c: q.pointer, ldc: l)                                   // Q = Xᵀ Y
            Self.orthonormalise(q, rows: g, columns: l)
        }
        // The projected problem: (X Q)ᵀ (X Q) = Qᵀ XᵀX Q [l, l], diagonalised exactly.
        Matmul.gemm(.none, .none, m: n, n: l, k: g, a: x.constPointer, lda: g, b: q.constPointer, ldb: l,
                    c: y.pointer, ldc: l)
        var small = [Double](repeating: 0, count: l * l)
        for i in 0..<l { for j in 0..<l {
            var s = 0.0
            for c in 0..<n { s += Double(y[c * l + i]) * Double(y[c * l + j]) }
            small[i * l + j] = s
        } }
        // LAPACK's dsyevd, as the principal basis uses; the Gram matrix is positive
        // semi-definite, so it cannot fail but for a non-finite input.
        let eigen = SymmetricEigen(symmetric: small, count: l)
        let (values, vectors) = (eigen?.values ?? [Double](repeating: 0, count: l), eigen?.vectors ?? [Double](repeating: 0, count: l * l))
        let order = (0..<l).sorted { values[$0] > values[$1] }.prefix(k)
        explainedVariance = order.map { max(0, values[$0]) / Double(max(1, n - 1)) }
        var components = [Float](repeating: 0, count: k * g)
        for (row, e) in order.enumerated() {
            for j in 0..<g {
                var s = 0.0
                for i in 0..<l { s += Double(q[j * l + i]) * vectors[i * l + e] }
                components[row * g + j] = Float(s)
            }
        }
        self.components = components
    }

    /// Cells [n, G] → their coordinates [n, k].
    public func transform(_ m: CellMatrix) -> CellMatrix {
        precondition(m.genes == genes, "PCA: \(m.genes) genes for a fit on \(genes)")
        let (n, k) = (m.cells, count)
        let centred = FloatBuffer(count: n * genes), out = FloatBuffer(count: n * k)
        for c in 0..<n { for j in 0..<genes { centred[c * genes + j] = m.values[c * genes + j] - means[j] } }
        components.withUnsafeBufferPointer { w in
            Matmul.gemm(.none, .transposed, m: n, n: k, k: genes, a: centred.constPointer, lda: genes,
                        b: w.baseAddress!, ldb: genes, c: out.pointer, ldc: k)
        }
        return CellMatrix(cells: n, genes: k, values: out.array)
    }

    /// Modified Gram–Schmidt on the columns of a [rows, columns] matrix, in Double.
    static func orthonormalise(_ a: FloatBuffer, rows: Int, columns: Int) {
        for j in 0..<columns {
            var v = (0..<rows).map { Double(a[$0 * columns + j]) }
            for i in 0..<j {
                var dot = 0.0
                for r in 0..<rows { dot += v[r] * Double(a[r * columns + i]) }
                for r in 0..<rows { v[r] -= dot * Double(a[r * columns + i]) }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for r in 0..<rows { a[r * columns + j] = Float(norm > 0 ? v[r] / norm : 0) }
        }
    }
}
