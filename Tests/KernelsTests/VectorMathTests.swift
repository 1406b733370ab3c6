import Foundation
import Kernels
import TestSupport
import XCTest

final class VectorMathTests: XCTestCase {
    func testExpIsWithinTwoUlpOfTheLibrary() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = VectorMath.Vector((0..<16).map { x + Float($0) * 0.0013 })
            let e = VectorMath.exp(lanes)
            for lane in 0..<16 {
                let truth = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, Float(abs(Double(e[lane]) - truth) / truth))
            }
            x += 0.0173
        }
        XCTAssertLessThan(worst, 2.5e-7, "relative error")
        let edges = VectorMath.exp(VectorMath.Vector([-.infinity, -200, 0, 200, .infinity, 1, -1, 0.5,
                                                      0, 0, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(edges[0], 0)
        XCTAssertEqual(edges[1], 0)
        XCTAssertEqual(edges[2], 1)
        XCTAssertEqual(edges[3], .infinity)
        XCTAssertEqual(edges[4], .infinity)
    }

    func testReductionsMatchDoubleSums() {
        var generator = SeededGenerator(seed: 4)
        for n in [0, 1, 15, 16, 17, 100, 1000] {
            let x = randomArray(n, generator: &generator), y = randomArray(n, generator: &generator)
            let sum = x.reduce(0.0) { $0 + Double($1) }
            let dot = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            x.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    XCTAssertEqual(Double(VectorMath.sum(xs.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: n)), sum, accuracy: 1e-4)
                    XCTAssertEqual(Double(VectorMath.dot(xs.baseAddress ?? UnsafePointer(bitPattern: 64)!,
                                                         ys.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: n)), dot, accuracy: 1e-4)
                    if n > 0 { XCTAssertEqual(VectorMath.maximum(xs.baseAddress!, count: n), x.max()!) }
                }
            }
        }
    }

    func testExponentiateReturnsTheSumAndHandlesTails() {
        for n in [1, 5, 16, 21, 200] {
            let values = (0..<n).map { Float($0) * 0.1 - 3 }
            let buffer = FloatBuffer(values)
            let total = VectorMath.exponentiate(buffer.pointer, subtracting: 0.5, count: n)
            let expected = values.map { Foundation.exp(Double($0) - 0.5) }
            XCTAssertEqual(Double(total), expected.reduce(0, +), accuracy: 1e-5 * expected.reduce(0, +))
            for i in 0..<n { XCTAssertEqual(Double(buffer[i]), expected[i], accuracy: 3e-7 * expected[i]) }
        }
    }
}
