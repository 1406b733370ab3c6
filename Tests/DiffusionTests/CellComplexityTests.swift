@testable import Diffusion
import Foundation
import Kernels
import XCTest

/// A cell's complexity: its factor on the genes' dispersions, by maximum likelihood, and the
/// sharpening that gives a composition a target of genes detected.
final class CellComplexityTests: XCTestCase {
    /// Cells drawn with every gene's dispersion θ_g times 0.25 or 4: the fitted factors part
    /// the two halves by 16×, and θ_g comes back.
    func testFactorsAndDispersionsComeBack() {
        let (n, g) = (600, 200)
        var generator = SeededGenerator(seed: 3)
        let theta = (0..<g).map { _ in Float(0.5 + 2 * generator.nextUniform()) }
        let means = (0..<(n * g)).map { _ in Float(exp(2 * generator.nextNormal())) }
        let counts = (0..<(n * g)).map { i in
            Float(generator.nextNegativeBinomial(mean: Double(means[i]), dispersion: Double(theta[i % g]) * (i / g % 2 == 0 ? 0.25 : 4)))
        }
        let fitted = CellComplexity(counts: counts, means: means, cells: n, genes: g, dispersion: Array(repeating: 1, count: g))
        func median(_ x: [Float]) -> Double { Double(x.sorted()[x.count / 2]) }
        let low = median((0..<n).filter { $0 % 2 == 0 }.map { fitted.factors[$0] })
        let high = median((0..<n).filter { $0 % 2 == 1 }.map { fitted.factors[$0] })
        XCTAssertEqual(log(high / low), log(16), accuracy: 0.25, "the two halves' factors, \(low) and \(high)")
        // θ_g times the factors' level: the median cell's factor is 1, between 0.25 and 4.
        let level = median(fitted.factors)
        XCTAssertEqual(median(zip(fitted.dispersion, theta).map { $0 / $1 }) * low / level, 0.25, accuracy: 0.06)
    }

    /// The sharpened composition has its total and, in expectation, its target of genes
    /// detected; targets past the range get its ends.
    func testSharpeningMeetsItsTarget() {
        var generator = SeededGenerator(seed: 7)
        let weights = (0..<300).map { _ in exp(2 * Double(generator.nextNormal())) }
        let dispersion = (0..<300).map { _ in Float(0.3 + 3 * generator.nextUniform()) }
        func sharpened(_ target: Double) -> [Double] {
            var means = [Double](repeating: 0, count: 300)
            weights.withUnsafeBufferPointer { w in
                means.withUnsafeMutableBufferPointer {
                    CellComplexity.sharpen(w, total: 2000, dispersion: dispersion, factor: 1.5, target: target, into: $0)
                }
            }
            return means
        }
        func detected(_ means: [Double]) -> Double {
            zip(means, dispersion).reduce(0) { $0 + CellComplexity.detection(mean: $1.0, dispersion: 1.5 * Double($1.1)) }
        }
        let (sharpest, flattest) = (detected(sharpened(0)), detected(sharpened(300)))
        XCTAssertLessThan(sharpest, flattest)
        for share in [0.1, 0.5, 0.9] {
            let target = sharpest + share * (flattest - sharpest), means = sharpened(target)
            XCTAssertEqual(detected(means), target, accuracy: 0.01, "share \(share)")
            XCTAssertEqual(means.reduce(0, +), 2000, accuracy: 1e-6)
        }
    }
}
