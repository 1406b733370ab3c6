import CellData
import Kernels

/// The 2-Wasserstein (Fréchet) distance between Gaussians fitted to two samples (as FID
/// does), meant for the real cells' PC space:
///
///     d² = ‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2 (Σ_a^{½} Σ_b Σ_a^{½})^{½})
///
/// with covariances of ddof 1. Tr((Σ_a Σ_b)^{½}) is taken as Σ √λ over the eigenvalues of
/// the symmetric Σ_a^{½} Σ_b Σ_a^{½}, both square roots by eigendecomposition in Double
/// (`SymmetricEigen`, LAPACK).
public enum FrechetDistance {
    /// The squared distance d².
    public static func squared(_ a: CellMatrix, _ b: CellMatrix) -> Double {
        precondition(a.genes == b.genes && a.cells > 1 && b.cells > 1, "FrechetDistance: incompatible samples")
        let d = a.genes
        let (ma, ca) = moments(a), (mb, cb) = moments(b)
        let rootA = symmetricSquareRoot(ca, size: d)
        let middle = multiply(multiply(rootA, cb, d), rootA, d)
        let (values, _) = eigen(middle, size: d)
        let crossTrace = values.reduce(0) { $0 + max(0, $1).squareRoot() }
        let meanTerm = zip(ma, mb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let traces = (0..<d).reduce(0) { $0 + ca[$1 * d + $1] + cb[$1 * d + $1] }
        return meanTerm + traces - 2 * crossTrace
    }

    /// Column means and the covariance matrix (ddof 1), in Double.
    static func moments(_ m: CellMatrix) -> (mean: [Double], covariance: [Double]) {
        let (n, d) = (m.cells, m.genes)
        var mean = [Double](repeating: 0, count: d)
        for c in 0..<n { for j in 0..<d { mean[j] += Double(m.values[c * d + j]) } }
        mean = mean.map { $0 / Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        for c in 0..<n {
            let row = (0..<d).map { Double(m.values[c * d + $0]) - mean[$0] }
            for i in 0..<d { for j in 0..<d { covariance[i * d + j] += row[i] * row[j] } }
        }
        return (mean, covariance.map { $0 / Double(n - 1) })
    }

    /// The positive semi-definite square root of a symmetric matrix.
    static func symmetricSquareRoot(_ a: [Double], size d: Int) -> [Double] {
        let (values, vectors) = eigen(a, size: d)
        var root = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let s = max(0, values[k]).squareRoot()
            for i in 0..<d { for j in 0..<d { root[i * d + j] += vectors[i * d + k] * s * vectors[j * d + k] } }
        }
        return root
    }

    /// Eigenvalues and eigenvectors of a matrix that is symmetric up to rounding (it is
    /// symmetrised first); zeros for a matrix LAPACK cannot decompose (non-finite values).
    static func eigen(_ a: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
        var symmetric = a
        for i in 0..<d { for j in 0..<i { symmetric[i * d + j] = (a[i * d + j] + a[j * d + i]) / 2; symmetric[j * d + i] = symmetric[i * d + j] } }
        guard let e = SymmetricEigen(symmetric: symmetric, count: d) else {
            return ([Double](repeating: .nan, count: d), [Double](repeating: 0, count: d * d))
        }
        return (e.values, e.vectors)
    }

    static func multiply(_ x: [Double], _ y: [Double], _ d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let xik = x[i * d + k]; for j in 0..<d { out[i * d + j] += xik * y[k * d + j] } } }
        return out
    }
}
