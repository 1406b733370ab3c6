import Kernels
import XCTest

/// LAPACK's eigensolver through the shim: A = V·diag(λ)·Vᵀ, V orthonormal, λ descending,
/// each vector's largest entry positive.
final class SymmetricEigenTests: XCTestCase {
    func testDecomposesARandomSymmetricMatrix() throws {
        let n = 7
        var generator = SeededGenerator(seed: 11)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i {
            let v = Double(generator.next() % 2001) / 1000 - 1
            a[i * n + j] = v
            a[j * n + i] = v
        } }
        let eigen = try XCTUnwrap(SymmetricEigen(symmetric: a, count: n))
        XCTAssertEqual(eigen.values, eigen.values.sorted(by: >))
        for i in 0..<n { for j in 0..<n {
            let rebuilt = (0..<n).reduce(0.0) { $0 + eigen.vectors[i * n + $1] * eigen.values[$1] * eigen.vectors[j * n + $1] }
            XCTAssertEqual(rebuilt, a[i * n + j], accuracy: 1e-12)
            let dot = (0..<n).reduce(0.0) { $0 + eigen.vectors[$1 * n + i] * eigen.vectors[$1 * n + j] }
            XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
        } }
        for j in 0..<n {
            let column = (0..<n).map { eigen.vectors[$0 * n + j] }
            XCTAssertGreaterThan(column.max(by: { abs($0) < abs($1) })!, 0, "vector \(j)'s largest entry is positive")
        }
        // The trace is the eigenvalues' sum.
        XCTAssertEqual(eigen.values.reduce(0, +), (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }, accuracy: 1e-12)
    }
}
