@testable import Kernels
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

    /// Which products go to OpenBLAS, by the width of its kernel set, at the shapes measured
    /// in docs/benchmarks.md: none against SSE3; a deep transposed A with many rows against
    /// AVX2; that, with fewer rows, and a large, deep C against AVX-512. The recipe's 80-row products and the 256-wide
    /// networks' stay ours everywhere.
    func testProductsGoWhereTheirKernelIsFaster() {
        let cases: [(Transpose, Int, Int, Int, sse: Bool, avx2: Bool, avx512: Bool)] = [
            (.none, 80, 256, 256, true, true, true),          // the recipe's token-wise Linear
            (.transposed, 1536, 256, 16, true, true, true),   // an adaLN weight gradient over 16 cells
            (.none, 3200, 768, 256, true, true, true),        // a 256-wide qkv over 3200 tokens
            (.none, 3200, 256, 1024, true, true, true),       // a 256-wide DiT's fc2
            (.none, 1600, 768, 768, true, true, false),       // one thread's band of a 768-wide layer
            (.none, 3200, 2304, 768, true, true, false),
            (.transposed, 2304, 768, 3200, true, false, false),
            (.transposed, 768, 768, 3200, true, true, false), // a 768-wide weight gradient over 3200 tokens
            (.transposed, 384, 256, 3200, true, true, true),  // one thread's band of a 256-wide qkv's
            (.transposed, 512, 256, 3200, true, true, false), // and of a 256-wide DiT's fc1
        ]
        for (transA, m, n, k, sse, avx2, avx512) in cases {
            for (width, expected) in [(KernelChoice.VectorWidth.sse, sse), (.avx2, avx2), (.avx512, avx512)] {
                XCTAssertEqual(Matmul.ownKernelIsFaster(transA, m: m, n: n, k: k, than: width), expected,
                               "\(transA) \(m)×\(n)×\(k) against OpenBLAS \(width)")
            }
        }
        XCTAssertEqual(KernelChoice.width(ofOpenBLASCore: "Cooperlake"), .avx512)
        XCTAssertEqual(KernelChoice.width(ofOpenBLASCore: "Haswell"), .avx2)
        XCTAssertEqual(KernelChoice.width(ofOpenBLASCore: "Prescott"), .sse)
    }

    /// Inside a team, `prepare` and `finish` see exactly the band each thread computes:
    /// starting C from a bias and ending with a ReLU gives ReLU(A·Bᵀ + bias) for shapes that
    /// run on one thread, split by rows and split by columns; and two products issued
    /// `.nowait`, then one barrier, both hold their results.
    func testBandHooksAndNowaitInsideATeam() {
        Threads.configure(2)
        var generator = SeededGenerator(seed: 7)
        for (m, n, k) in [(6, 5, 4), (300, 120, 64), (40, 600, 256)] {
            let a = FloatBuffer.random(m * k, generator: &generator)
            let b = FloatBuffer.random(n * k, generator: &generator)
            let bias = FloatBuffer.random(n, generator: &generator)
            let fused = FloatBuffer(count: m * n), second = FloatBuffer(count: m * n), expected = FloatBuffer(count: m * n)
            let seen = FloatBuffer(count: m * n)   // how many bands wrote each element
            let job: (Int) -> Void = { _ in
                Matmul.gemm(.none, .transposed, m: m, n: n, k: k, a: a.constPointer, lda: k, b: b.constPointer, ldb: k,
                            beta: 1, c: fused.pointer, ldc: n, then: .nowait,
                            prepare: { band in
                                band.forEachRowSpan(ldc: n) { span in
                                    (fused.pointer + span.lowerBound).update(from: bias.pointer + band.columns.lowerBound,
                                                                             count: span.count)
                                }
                            },
                            finish: { band in
                                band.forEachRowSpan(ldc: n) { span in
                                    for i in span { fused[i] = max(0, fused[i]); seen[i] += 1 }
                                }
                            })
                Matmul.gemm(.none, .transposed, m: m, n: n, k: k, a: a.constPointer, lda: k, b: b.constPointer, ldb: k,
                            c: second.pointer, ldc: n, then: .nowait)
                Parallel.barrier()
            }
            Parallel.team(job)
            Matmul.naive(.none, .transposed, m: m, n: n, k: k, a: a.constPointer, lda: k, b: b.constPointer, ldb: k,
                         c: expected.pointer, ldc: n)
            let plain = expected.array
            for r in 0..<m { for j in 0..<n { expected[r * n + j] = max(0, expected[r * n + j] + bias[j]) } }
            XCTAssertLessThan(relativeDifference(fused.array, expected.array), 1e-5, "\(m)×\(n)×\(k) fused")
            XCTAssertLessThan(relativeDifference(second.array, plain), 1e-5, "\(m)×\(n)×\(k) second product")
            XCTAssertEqual(seen.array, Array(repeating: 1, count: m * n), "\(m)×\(n)×\(k): every element in one band")
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
