import Kernels
import TestSupport
import XCTest

final class MatmulTests: XCTestCase {
    /// sgemm agrees with the naive loop for every transpose pair, strided views and beta,
    /// with either kernel choice (shapes on both sides of the AVX-512 kernel's dispatch).
    func testGemmMatchesNaiveLoopWithStridesAndTransposes() {
        defer { KernelChoice.current = .standard }
        var generator = SeededGenerator(seed: 1)
        let ld = 43   // every operand is a view into a wider matrix
        let choices = KernelChoice.allCases.filter { $0 == .portable || KernelChoice.avx512Runs }
        for choice in choices {
            KernelChoice.current = choice
            for (m, n, k) in [(7, 5, 9), (40, 33, 20)] {
                for transA in [Transpose.none, .transposed] {
                    for transB in [Transpose.none, .transposed] {
                        for beta: Float in [0, 0.5] {
                            let a = FloatBuffer.random(max(m, k) * ld, generator: &generator)
                            let b = FloatBuffer.random(max(n, k) * ld, generator: &generator)
                            let c0 = randomArray(m * ld, generator: &generator)
                            let fast = FloatBuffer(c0), slow = FloatBuffer(c0)
                            Matmul.gemm(transA, transB, m: m, n: n, k: k, alpha: 1.5, a: a.constPointer, lda: ld,
                                        b: b.constPointer, ldb: ld, beta: beta, c: fast.pointer, ldc: ld)
                            Matmul.naive(transA, transB, m: m, n: n, k: k, alpha: 1.5, a: a.constPointer, lda: ld,
                                         b: b.constPointer, ldb: ld, beta: beta, c: slow.pointer, ldc: ld)
                            XCTAssertLessThan(relativeDifference(fast.array, slow.array), 1e-5,
                                              "\(choice) \(m)×\(n)×\(k) \(transA) \(transB) beta \(beta)")
                        }
                    }
                }
            }
        }
    }

    func testNaiveLoopComputesAKnownProduct() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let a = FloatBuffer([1, 2, 3, 4]), b = FloatBuffer([5, 6, 7, 8]), c = FloatBuffer(count: 4)
        Matmul.naive(.none, .none, m: 2, n: 2, k: 2, a: a.constPointer, lda: 2, b: b.constPointer, ldb: 2,
                     c: c.pointer, ldc: 2)
        XCTAssertEqual(c.array, [19, 22, 43, 50])
    }
}
