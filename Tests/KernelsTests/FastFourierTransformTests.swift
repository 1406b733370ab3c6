import Foundation
import Kernels
import XCTest

/// The mixed-radix FFT against the direct sum X_k = Σ_j x_j e^(−2πi·jk/N).
final class FastFourierTransformTests: XCTestCase {
    func testMatchesTheDirectTransformAndInvertsToNTimesTheInput() {
        for n in [1, 2, 3, 4, 5, 6, 8, 12, 15, 16, 30, 45, 64, 100, 120] {
            var generator = SeededGenerator(seed: UInt64(n))
            let re = (0..<n).map { _ in Double(generator.nextNormal()) }, im = (0..<n).map { _ in Double(generator.nextNormal()) }
            var (fr, fi) = (re, im)
            let fft = FastFourierTransform(count: n)
            fr.withUnsafeMutableBufferPointer { r in fi.withUnsafeMutableBufferPointer { i in fft.transform(re: r.baseAddress!, im: i.baseAddress!) } }
            for k in 0..<n {
                var (sr, si) = (0.0, 0.0)
                for j in 0..<n {
                    let a = -2 * Double.pi * Double(j * k) / Double(n)
                    sr += re[j] * cos(a) - im[j] * sin(a); si += re[j] * sin(a) + im[j] * cos(a)
                }
                XCTAssertEqual(fr[k], sr, accuracy: 1e-9, "n \(n), k \(k)")
                XCTAssertEqual(fi[k], si, accuracy: 1e-9, "n \(n), k \(k)")
            }
            fr.withUnsafeMutableBufferPointer { r in
                fi.withUnsafeMutableBufferPointer { i in fft.transform(re: r.baseAddress!, im: i.baseAddress!, inverse: true) }
            }
            for j in 0..<n { XCTAssertEqual(fr[j] / Double(n), re[j], accuracy: 1e-12); XCTAssertEqual(fi[j] / Double(n), im[j], accuracy: 1e-12) }
        }
    }

    func testTheGridTransformIsRowsThenColumns() {
        for n in [8, 12, 75] { gridTransform(n) }
        XCTAssertEqual(FastFourierTransform.size(atLeast: 300), 300)
        XCTAssertEqual(FastFourierTransform.size(atLeast: 1422), 1440)
        XCTAssertEqual(FastFourierTransform.size(atLeast: 512), 512)
        XCTAssertEqual(FastFourierTransform.size(atLeast: 7), 8)
        XCTAssertEqual(FastFourierTransform.size(atLeast: 1), 1)
    }

    /// One n × n grid's transform, with more columns than a strip when n > 64.
    func gridTransform(_ n: Int) {
        var generator = SeededGenerator(seed: 5)
        let re = (0..<(n * n)).map { _ in Double(generator.nextNormal()) }
        var (gr, gi) = (re, [Double](repeating: 0, count: n * n))
        let fft = FastFourierTransform(count: n)
        gr.withUnsafeMutableBufferPointer { r in gi.withUnsafeMutableBufferPointer { i in fft.transform2D(re: r.baseAddress!, im: i.baseAddress!) } }
        for (u, v) in [(0, 0), (1, 3), (7, 2), (4, 4), (n - 1, n - 2)] {
            var (sr, si) = (0.0, 0.0)
            for y in 0..<n {
                for x in 0..<n {
                    let a = -2 * Double.pi * Double(u * y + v * x) / Double(n)
                    sr += re[y * n + x] * cos(a); si += re[y * n + x] * sin(a)
                }
            }
            XCTAssertEqual(gr[u * n + v], sr, accuracy: 1e-9, "n \(n)")
            XCTAssertEqual(gi[u * n + v], si, accuracy: 1e-9, "n \(n)")
        }
    }
}
