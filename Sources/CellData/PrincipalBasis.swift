import Kernels

/// A change of basis for cells: the training cells' mean μ and their principal axes A
/// (the eigenvectors of their covariance, by decreasing variance), of which the leading
/// `components` are used. `project` maps cells to those principal-component scores,
/// (x − μ)·A_K; `restore` maps scores back, z·A_Kᵀ + μ. With every component kept this is
/// an orthogonal map and `restore` undoes `project` exactly, up to Float rounding; with
/// fewer, `restore` returns the cells' projection onto the leading axes, without the
/// trailing components' small, mostly independent variation. A network trained on scores
/// (`wbdit train --pca-basis`) sees the cells' main axes of variation in its first tokens.
public struct PrincipalBasis: Equatable {
    public let genes: Int
    /// How many leading axes the scores hold (1…genes).
    public let components: Int
    public let mean: [Float]
    /// Row-major [genes, genes]: column j is the j-th principal axis (all of them are
    /// kept, whatever `components` is, so that a basis can be cut to any count).
    public let axes: [Float]

    public init(mean: [Float], axes: [Float], components: Int? = nil) {
        precondition(axes.count == mean.count * mean.count, "PrincipalBasis: \(axes.count) axis values for \(mean.count) genes")
        genes = mean.count
        self.components = components ?? genes
        precondition((1...max(1, genes)).contains(self.components), "PrincipalBasis: \(self.components) components of \(genes) genes")
        self.mean = mean
        self.axes = axes
    }

    /// The same basis using only its leading `count` axes (1…genes).
    public func leading(_ count: Int) -> PrincipalBasis {
        PrincipalBasis(mean: mean, axes: axes, components: count)
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

    /// Cells (rows of `values`, `genes` wide) to their scores (rows `components` wide), in place.
    public func project(_ values: inout [Float]) {
        precondition(values.count % genes == 0, "PrincipalBasis: \(values.count) values are not whole cells of \(genes) genes")
        let cells = values.count / genes
        for c in 0..<cells { for j in 0..<genes { values[c * genes + j] -= mean[j] } }
        let centred = FloatBuffer(values), axes = FloatBuffer(self.axes), scores = FloatBuffer(count: cells * components)
        // [cells, genes] · A[:, :components]: the first `components` columns of A, row stride genes.
        Matmul.gemm(.none, .none, m: cells, n: components, k: genes, a: centred.constPointer, lda: genes,
                    b: axes.constPointer, ldb: genes, c: scores.pointer, ldc: components)
        values = (0..<scores.count).map { scores[$0] }
    }

    /// Cells to their scores, as a matrix `components` wide.
    public func project(_ cells: CellMatrix) -> CellMatrix {
        var values = cells.values
        project(&values)
        return CellMatrix(cells: cells.cells, genes: components, values: values)
    }

    /// Scores (rows `components` wide) back to cells (rows `genes` wide), in place.
    public func restore(_ values: inout [Float]) {
        precondition(values.count % components == 0, "PrincipalBasis: \(values.count) values are not whole rows of \(components) scores")
        let cells = values.count / components
        let scores = FloatBuffer(values), axes = FloatBuffer(self.axes), output = FloatBuffer(count: cells * genes)
        // [cells, components] · A[:, :components]ᵀ.
        Matmul.gemm(.none, .transposed, m: cells, n: genes, k: components, a: scores.constPointer, lda: components,
                    b: axes.constPointer, ldb: genes, c: output.pointer, ldc: genes)
        values = (0..<output.count).map { output[$0] + mean[$0 % genes] }
    }

    /// Stored as a float32 `.npy` of shape [genes + 1, genes]: the mean, then the axes' rows.
    public func write(npy path: String) throws {
        try NumpyArray(shape: [genes + 1, genes], values: mean + axes).write(to: path)
    }

    /// Reads a basis written by `write(npy:)`, using its leading `components` axes (all when nil).
    public init(npy path: String, components: Int? = nil) throws {
        let array = try NumpyArray(contentsOf: path)
        guard array.shape.count == 2, array.shape[0] == array.shape[1] + 1, array.shape[1] >= 1 else {
            throw NumpyError("\(path) is not a principal basis: shape \(array.shape), expected [genes + 1, genes]")
        }
        let g = array.shape[1]
        guard array.values.allSatisfy(\.isFinite) else { throw NumpyError("\(path) holds values that are not finite") }
        if let components, !(1...g).contains(components) {
            throw NumpyError("\(path) has \(g) principal axes; \(components) cannot be used")
        }
        self.init(mean: Array(array.values[..<g]), axes: Array(array.values[g...]), components: components)
    }
}
