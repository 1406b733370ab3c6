import Kernels

/// An orthogonal change of basis for cells: the training cells' mean μ and all their
/// principal axes A (the eigenvectors of their covariance, by decreasing variance).
/// `project` maps cells to principal-component scores, (x − μ)·A; `restore` maps scores
/// back, z·Aᵀ + μ — the exact inverse, up to Float rounding. A network trained on scores
/// (`wbdit train --pca-basis`) sees the cells' main axes of variation in its first tokens.
public struct PrincipalBasis: Equatable {
    public let genes: Int
    public let mean: [Float]
    /// Row-major [genes, genes]: column j is the j-th principal axis.
    public let axes: [Float]

    public init(mean: [Float], axes: [Float]) {
        precondition(axes.count == mean.count * mean.count, "PrincipalBasis: \(axes.count) axis values for \(mean.count) genes")
        genes = mean.count
        self.mean = mean
        self.axes = axes
    }

    /// Fits the basis on `cells` (at least two). Nil if the eigensolver fails.
    public init?(fitting cells: CellMatrix) {
        let (n, g) = (cells.cells, cells.genes)
        precondition(n >= 2, "PrincipalBasis: fitting needs two cells")
        var sums = [Double](repeating: 0, count: g)
        for c in 0..<n { for j in 0..<g { sums[j] += Double(cells.values[c * g + j]) } }
        let mean = sums.map { Float($0 / Double(n)) }
        let centred = FloatBuffer(count: n * g), product = FloatBuffer(count: g * g)
        for c in 0..<n { for j in 0..<g { centred[c * g + j] = cells.values[c * g + j] - mean[j] } }
        Matmul.gemm(.transposed, .none, m: g, n: g, k: n, a: centred.constPointer, lda: g,
                    b: centred.constPointer, ldb: g, c: product.pointer, ldc: g)
        let covariance = (0..<(g * g)).map { Double(product[$0]) / Double(n - 1) }
        guard let eigen = SymmetricEigen(symmetric: covariance, count: g) else { return nil }
        self.init(mean: mean, axes: eigen.vectors.map { Float($0) })
    }

    /// Cells (rows of `values`, `genes` wide) to their scores, in place.
    public func project(_ values: inout [Float]) {
        let cells = values.count / genes
        for c in 0..<cells { for j in 0..<genes { values[c * genes + j] -= mean[j] } }
        values = product(values, cells: cells, transposingAxes: false)
    }

    /// Scores back to cells, in place.
    public func restore(_ values: inout [Float]) {
        let cells = values.count / genes
        values = product(values, cells: cells, transposingAxes: true)
        for c in 0..<cells { for j in 0..<genes { values[c * genes + j] += mean[j] } }
    }

    private func product(_ values: [Float], cells: Int, transposingAxes: Bool) -> [Float] {
        precondition(values.count == cells * genes, "PrincipalBasis: \(values.count) values are not whole cells of \(genes) genes")
        let input = FloatBuffer(values), axes = FloatBuffer(self.axes), output = FloatBuffer(count: values.count)
        Matmul.gemm(.none, transposingAxes ? .transposed : .none, m: cells, n: genes, k: genes, a: input.constPointer,
                    lda: genes, b: axes.constPointer, ldb: genes, c: output.pointer, ldc: genes)
        return (0..<values.count).map { output[$0] }
    }

    /// Stored as a float32 `.npy` of shape [genes + 1, genes]: the mean, then the axes' rows.
    public func write(npy path: String) throws {
        try NumpyArray(shape: [genes + 1, genes], values: mean + axes).write(to: path)
    }

    public init(npy path: String) throws {
        let array = try NumpyArray(contentsOf: path)
        guard array.shape.count == 2, array.shape[0] == array.shape[1] + 1, array.shape[1] >= 1 else {
            throw NumpyError("\(path) is not a principal basis: shape \(array.shape), expected [genes + 1, genes]")
        }
        let g = array.shape[1]
        self.init(mean: Array(array.values[..<g]), axes: Array(array.values[g...]))
    }
}
