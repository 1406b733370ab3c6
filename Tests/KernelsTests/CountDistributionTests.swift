import Foundation
import Kernels
import XCTest

/// The count draws against their distributions' own moments and zero probabilities.
final class CountDistributionTests: XCTestCase {
    /// Mean and variance (ddof 1) of a sample.
    func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
    }

    func testGammaHasItsMeanAndVariance() {
        var generator = SeededGenerator(seed: 1)
        for (shape, scale) in [(0.3, 2.0), (1.0, 1.0), (7.5, 0.4)] {
            let (mean, variance) = moments((0..<200_000).map { _ in generator.nextGamma(shape: shape, scale: scale) })
            XCTAssertEqual(mean, shape * scale, accuracy: 0.02 * shape * scale, "shape \(shape)")
            XCTAssertEqual(variance, shape * scale * scale, accuracy: 0.05 * shape * scale * scale, "shape \(shape)")
        }
    }

    /// Both branches (multiplication below 10, PTRS above) give Poisson's mean, variance and P(0).
    func testPoissonHasItsMomentsOnBothBranches() {
        var generator = SeededGenerator(seed: 2)
        for mean in [0.05, 3.0, 9.9, 10.0, 57.0, 4000.0] {
            let draws = (0..<200_000).map { _ in Double(generator.nextPoisson(mean: mean)) }
            let m = moments(draws)
            XCTAssertEqual(m.mean, mean, accuracy: 4 * (mean / 200_000).squareRoot() + 1e-9, "mean \(mean)")
            XCTAssertEqual(m.variance, mean, accuracy: 0.03 * mean, "mean \(mean)")
            let zeros = Double(draws.filter { $0 == 0 }.count) / 200_000
            XCTAssertEqual(zeros, exp(-mean), accuracy: 0.005, "mean \(mean)")
        }
    }

    func testNegativeBinomialHasItsVarianceAndZeros() {
        var generator = SeededGenerator(seed: 3)
        for (mean, theta) in [(2.0, 0.5), (0.3, 3.0), (40.0, 10.0)] {
            let draws = (0..<200_000).map { _ in Double(generator.nextNegativeBinomial(mean: mean, dispersion: theta)) }
            let m = moments(draws)
            XCTAssertEqual(m.mean, mean, accuracy: 0.02 * mean, "mean \(mean)")
            XCTAssertEqual(m.variance, mean + mean * mean / theta, accuracy: 0.05 * (mean + mean * mean / theta), "mean \(mean)")
            let zeros = Double(draws.filter { $0 == 0 }.count) / 200_000
            XCTAssertEqual(zeros, pow(theta / (theta + mean), theta), accuracy: 0.005, "mean \(mean)")
        }
        XCTAssertEqual(generator.nextNegativeBinomial(mean: 0, dispersion: 1), 0)
    }

    /// Below a word, one word, and across words: the mean n/2 and variance n/4 of Binomial(n, ½).
    func testHalfBinomialHasItsMoments() {
        var generator = SeededGenerator(seed: 4)
        XCTAssertEqual(generator.nextHalfBinomial(0), 0)
        for trials in [1, 7, 63, 64, 65, 1000] {
            let draws = (0..<100_000).map { _ in Double(generator.nextHalfBinomial(trials)) }
            XCTAssertTrue(draws.allSatisfy { $0 >= 0 && $0 <= Double(trials) })
            let m = moments(draws), n = Double(trials)
            XCTAssertEqual(m.mean, n / 2, accuracy: 4 * (n / 4 / 100_000).squareRoot(), "\(trials) trials")
            XCTAssertEqual(m.variance, n / 4, accuracy: 0.03 * n / 4, "\(trials) trials")
        }
    }
}
