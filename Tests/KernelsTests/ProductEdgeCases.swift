import Kernels
import TestSupport
import XCTest

/// A hand-written product against `Matmul.naive` at the edges of its tiles, panels and
/// blocks: both transposes, strided views into wider matrices, three (alpha, beta) pairs,
/// and NaN in C under beta 0 (which must not be read); nothing outside the m × n block is
/// written.
enum ProductEdgeCases {
    /// C = alpha · op(A) · op(B) + beta · C, every leading dimension `ld`.
    typealias Product = (_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                         _ a: ConstFloatPointer, _ b: ConstFloatPointer, _ beta: Float, _ c: FloatPointer, _ ld: Int) -> Void

    /// Checks `product` at each shape, against the naive product of the operands passed
    /// through `operand` (the identity, or the rounding a product does); returns the cases checked.
    static func check(_ product: Product, shapes: [(Int, Int, Int)], operand: (Float) -> Float = { $0 },
                      tolerance: Float, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) -> Int {
        var generator = SeededGenerator(seed: seed)
        var checked = 0
        for (m, n, k) in shapes {
            for transA in [false, true] {
                for transB in [false, true] {
                    for (alpha, beta): (Float, Float) in [(1, 0), (-0.7, 0.5), (0.1, 1)] {
                        let ld = max(m, n, k) + 3   // views into wider matrices
                        let a = FloatBuffer.random(max(m, k) * ld, generator: &generator)
                        let b = FloatBuffer.random(max(n, k) * ld, generator: &generator)
                        let aSeen = FloatBuffer((0..<a.count).map { operand(a[$0]) })
                        let bSeen = FloatBuffer((0..<b.count).map { operand(b[$0]) })
                        var c0 = randomArray(m * ld, generator: &generator)
                        if beta == 0 { c0 = [Float](repeating: .nan, count: c0.count) }
                        let fast = FloatBuffer(c0), slow = FloatBuffer(beta == 0 ? [Float](repeating: 0, count: c0.count) : c0)
                        product(transA, transB, m, n, k, alpha, a.constPointer, b.constPointer, beta, fast.pointer, ld)
                        Matmul.naive(transA ? .transposed : .none, transB ? .transposed : .none, m: m, n: n, k: k,
                                     alpha: alpha, a: aSeen.constPointer, lda: ld, b: bSeen.constPointer, ldb: ld,
                                     beta: beta, c: slow.pointer, ldc: ld)
                        let written = (0..<m).flatMap { i in (0..<n).map { i * ld + $0 } }
                        let mismatch = relativeDifference(written.map { fast[$0] }, written.map { slow[$0] })
                        XCTAssertLessThan(mismatch, tolerance, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) beta \(beta)",
                                          file: file, line: line)
                        for i in 0..<m {
                            for j in n..<ld where beta != 0 { XCTAssertEqual(fast[i * ld + j], c0[i * ld + j], file: file, line: line) }
                        }
                        checked += 1
                    }
                }
            }
        }
        return checked
    }
}
