import CBLAS

/// The eigendecomposition of a symmetric matrix, by LAPACK's `dsyevd` (which OpenBLAS
/// carries), in Double: A = V · diag(λ) · Vᵀ with orthonormal V. Eigenvalues come in
/// descending order; each eigenvector's sign is fixed so that its largest-magnitude entry
/// is positive (the first of equals), so the result does not depend on LAPACK's choice.
public struct SymmetricEigen {
    public let count: Int
    /// Descending.
    public let values: [Double]
    /// Row-major [count, count]: column j is the eigenvector of `values[j]`.
    public let vectors: [Double]

    /// `matrix`: row-major [n, n], symmetric (only its lower triangle in row-major order —
    /// LAPACK's upper triangle in column-major order — is read). Nil if LAPACK fails.
    public init?(symmetric matrix: [Double], count n: Int) {
        precondition(n >= 1 && matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for \(n) × \(n)")
        // Row-major lower = column-major upper; the symmetric matrix is its own transpose.
        var a = matrix, w = [Double](repeating: 0, count: n)
        var (size, lda, info) = (Int32(n), Int32(n), Int32(0))
        var workSize = 0.0, iworkSize = Int32(0), query = Int32(-1)
        "V".withCString { jobz in "U".withCString { uplo in
            dsyevd_(jobz, uplo, &size, &a, &lda, &w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        } }
        guard info == 0 else { return nil }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        "V".withCString { jobz in "U".withCString { uplo in
            dsyevd_(jobz, uplo, &size, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        } }
        guard info == 0 else { return nil }
        // Column-major eigenvectors, ascending: vector j is a[j·n ..< (j+1)·n].
        var vectors = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            let source = n - 1 - column
            let vector = a[(source * n)..<((source + 1) * n)]
            var largest = vector.startIndex
            for i in vector.indices where abs(vector[i]) > abs(vector[largest]) { largest = i }
            let sign = vector[largest] < 0 ? -1.0 : 1.0
            for (row, value) in vector.enumerated() { vectors[row * n + column] = sign * value }
        }
        count = n
        values = w.reversed()
        self.vectors = vectors
    }
}
