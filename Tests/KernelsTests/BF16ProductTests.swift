import CKernels
import Foundation
import Kernels
import TestSupport
import XCTest

/// The BF16 product (`CKernels/sbgemm.c`) and the precision it runs under
/// (`ProductPrecision`): exactly the Float32 product of the rounded operands, at every edge
/// of its tiles, panels, row blocks and pairs; and the precision of a thread, handed to the
/// pool's workers for that thread's jobs and to no one else.
final class BF16ProductTests: XCTestCase {
    /// bfloat16 rounding to nearest even, as VCVTNE2PS2BF16 does it (finite values).
    private func rounded(_ x: Float) -> Float {
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
    }

    /// The products of bfloat16 values are exact in Float32; only the sums round.
    func testBF16ProductIsTheProductOfTheRoundedOperandsAtEveryEdge() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        // Tiles of 8 rows, panels of 32 columns, row blocks of 128, depth blocks of 512
        // (256 pairs), an odd k's last pair padded with a zero.
        let shapes = [(1, 1, 1), (7, 15, 5), (8, 16, 16), (9, 17, 255), (33, 31, 256), (80, 40, 257),
                      (16, 33, 300), (5, 32, 5), (3, 65, 513), (130, 47, 34), (257, 9, 1025)]
        let checked = ProductEdgeCases.check({ transA, transB, m, n, k, alpha, a, b, beta, c, ld in
            wbdit_sbgemm(transA, transB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(ld), b, Int32(ld), beta, c, Int32(ld))
        }, shapes: shapes, operand: rounded, tolerance: 1e-5, seed: 11)
        XCTAssertEqual(checked, shapes.count * 4 * 3)
    }

    /// Against the Float32 product the error is bfloat16's (8 bits of mantissa), not zero:
    /// the products really are rounded, and by no more than rounding.
    func testBF16ErrorIsBfloat16Rounding() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        var generator = SeededGenerator(seed: 5)
        let (m, n, k) = (80, 256, 256)
        let a = FloatBuffer.random(m * k, generator: &generator), b = FloatBuffer.random(k * n, generator: &generator)
        let bf16 = FloatBuffer(count: m * n), exact = FloatBuffer(count: m * n)
        wbdit_sbgemm(false, true, Int32(m), Int32(n), Int32(k), 1, a.constPointer, Int32(k), b.constPointer, Int32(k),
                     0, bf16.pointer, Int32(n))
        Matmul.naive(.none, .transposed, m: m, n: n, k: k, a: a.constPointer, lda: k, b: b.constPointer, ldb: k,
                     c: exact.pointer, ldc: n)
        let error = relativeDifference(bf16.array, exact.array)
        XCTAssertGreaterThan(error, 1e-4)
        XCTAssertLessThan(error, 1e-2)
    }

    /// `ProductPrecision.run` reaches the pool's workers for the caller's jobs, comes back
    /// to Float32 after, and leaves other threads' products in Float32 meanwhile.
    func testPrecisionBelongsToTheThreadAndItsPoolJobs() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        let threads = Threads.count
        Threads.configure(2)
        defer { Threads.configure(threads) }
        var generator = SeededGenerator(seed: 9)
        let (m, n, k) = (400, 96, 64)   // large enough to be split into two bands
        XCTAssertGreaterThanOrEqual(Matmul.flops(m: m, n: n, k: k), Matmul.parallelThreshold)
        let a = FloatBuffer.random(m * k, generator: &generator), b = FloatBuffer.random(k * n, generator: &generator)
        @Sendable func product() -> [Float] {
            let c = FloatBuffer(count: m * n)
            Matmul.gemm(.none, .none, m: m, n: n, k: k, a: a.constPointer, lda: k, b: b.constPointer, ldb: n,
                        c: c.pointer, ldc: n)
            return c.array
        }
        let reference = FloatBuffer(count: m * n)
        wbdit_sbgemm(false, false, Int32(m), Int32(n), Int32(k), 1, a.constPointer, Int32(k), b.constPointer, Int32(n),
                     0, reference.pointer, Int32(n))
        let float32 = product()
        nonisolated(unsafe) var elsewhere: [Float] = []
        let inside = ProductPrecision.run(.bfloat16) { () -> [Float] in
            XCTAssertEqual(ProductPrecision.current, .bfloat16)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread { elsewhere = product(); done.signal() }   // another thread's products
            done.wait()
            return product()
        }
        XCTAssertEqual(inside, reference.array, "both bands of the product ran in BF16")
        XCTAssertEqual(ProductPrecision.current, .float32)
        XCTAssertEqual(product(), float32, "Float32 again after run")
        XCTAssertEqual(elsewhere, float32, "another thread's products stayed Float32")
        XCTAssertNotEqual(inside, float32)
    }
}
