import CKernels
import Kernels
import TestSupport
import XCTest

/// The hand-written AVX-512 kernels against their oracles: the naive product for the
/// sgemm (every tile and panel edge, both transposes, strided views, alpha and beta), and
/// the portable Swift loops for AdamW and the squared norm.
final class AVX512KernelTests: XCTestCase {
    override func tearDown() { KernelChoice.current = .standard }

    func testSgemmMatchesNaiveLoopAtEveryEdge() throws {
        try XCTSkipUnless(KernelChoice.avx512Runs, "this CPU does not run AVX-512; the portable path is tested in MatmulTests")
        let shapes = [(1, 1, 1), (7, 15, 5), (8, 16, 16), (9, 17, 255), (33, 31, 256), (80, 40, 257),
                      (16, 33, 300), (5, 32, 5), (3, 65, 513)]
        let checked = ProductEdgeCases.check({ transA, transB, m, n, k, alpha, a, b, beta, c, ld in
            wbdit_sgemm(transA, transB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(ld), b, Int32(ld), beta, c, Int32(ld))
        }, shapes: shapes, tolerance: 1e-5, seed: 7)
        XCTAssertEqual(checked, shapes.count * 4 * 3)
    }

    /// Both implementations do the same IEEE operations in the same order: equal to the bit.
    func testAdamWIsBitForBitThePortableLoop() throws {
        try XCTSkipUnless(KernelChoice.avx512Runs, "this CPU does not run AVX-512")
        var generator = SeededGenerator(seed: 3)
        let count = 1000 + 7   // a tail that is not a whole vector
        let start = randomArray(count, generator: &generator)
        var results: [[Float]] = []
        for choice in [KernelChoice.avx512, .portable] {
            KernelChoice.current = choice
            var steps = SeededGenerator(seed: 4)
            let p = FloatBuffer(start)
            let optimiser = AdamW(parameterCount: count, settings: AdamWSettings(learningRate: 1e-3, weightDecay: 0.05))
            for _ in 0..<3 {
                let g = FloatBuffer.random(count, generator: &steps)
                optimiser.update(parameters: p.pointer, gradients: g.constPointer, gradientScale: 0.3)
            }
            results.append(p.array + optimiser.firstMoment.array + optimiser.secondMoment.array)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertNotEqual(results[0].prefix(count).map { $0 }, start)
    }

    func testSumOfSquaresMatchesDouble() throws {
        var generator = SeededGenerator(seed: 5)
        for count in [0, 1, 7, 8, 31, 32, 33, 1000] {
            let x = randomArray(count, generator: &generator)
            let exact = x.reduce(0.0) { $0 + Double($1) * Double($1) }
            for choice in KernelChoice.allCases where choice == .portable || KernelChoice.avx512Runs {
                KernelChoice.current = choice
                let sum = x.withUnsafeBufferPointer { VectorMath.sumOfSquares($0.baseAddress!, count: count) }
                XCTAssertEqual(sum, exact, accuracy: 1e-12 * max(1, exact), "\(choice) \(count)")
            }
        }
    }
}
