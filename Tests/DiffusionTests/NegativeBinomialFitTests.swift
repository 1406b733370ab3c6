@testable import Diffusion
import Foundation
import Kernels
import XCTest

/// The negative-binomial likelihood fits: a gene's dispersion over cells and a cell's
/// factor over genes, each against the likelihood maximised over a grid.
final class NegativeBinomialFitTests: XCTestCase {
    func testDispersionFitRecoversTheta() {
        var generator = SeededGenerator(seed: 9)
        for theta in [0.5, 2.0, 20.0] {
            let means = (0..<20_000).map { 0.5 + Double($0 % 9) }
            let counts = means.map { Double(generator.nextNegativeBinomial(mean: $0, dispersion: theta)) }
            XCTAssertEqual(NegativeBinomialFit.dispersion(counts: counts, means: means), theta, accuracy: 0.1 * theta, "θ \(theta)")
        }
    }

    /// The fit against the likelihood written out cell by cell, maximised over a grid of
    /// log θ 10⁻² apart and then 10⁻⁴ apart around the best: the same θ, for counts with many zeros, with large counts and
    /// with non-integer ones, and at the search's upper end for Poisson counts.
    func testDispersionFitMaximisesTheCellByCellLikelihood() {
        func direct(_ theta: Double, _ counts: [Double], _ means: [Double]) -> Double {
            zip(counts, means).reduce(0) { sum, cell in
                let (y, mu) = cell
                return sum + lgamma(y + theta) - lgamma(theta) + theta * log(theta) - (theta + y) * log(theta + mu)
            }
        }
        var generator = SeededGenerator(seed: 3)
        let cases: [(String, [Double], [Double])] = [
            ("sparse", (0..<1000).map { _ in 0.05 + 0.3 * Double(generator.nextUniform()) }, []),
            ("deep", (0..<1000).map { _ in 50 + 200 * Double(generator.nextUniform()) }, []),
        ].map { name, means, _ in (name, means, means.map { Double(generator.nextNegativeBinomial(mean: $0, dispersion: 0.8)) }) }
        let fractional = cases[1].2.map { $0 * 0.37 }
        let poisson = (0..<1000).map { Double($0 % 3) }
        for (name, means, counts) in cases + [("fractional", cases[1].1.map { $0 * 0.37 }, fractional),
                                              ("poisson", poisson, poisson)] {
            let fitted = NegativeBinomialFit.dispersion(counts: counts, means: means)
            func argmax(_ grid: [Double]) -> Double { grid.max { direct(exp($0), counts, means) < direct(exp($1), counts, means) }! }
            let coarse = argmax(Array(stride(from: log(1e-2), through: log(1e4), by: 1e-2)))
            let best = argmax(Array(stride(from: max(log(1e-2), coarse - 1e-2), through: min(log(1e4), coarse + 1e-2), by: 1e-4)))
            XCTAssertEqual(log(fitted), best, accuracy: 2e-4, "\(name): θ \(fitted), grid \(exp(best))")
        }
    }

    /// A cell's factor against the likelihood written out gene by gene, maximised over a grid
    /// of log φ 10⁻² apart and then 10⁻⁴ apart around the best.
    func testFactorFitMaximisesTheGeneByGeneLikelihood() {
        var generator = SeededGenerator(seed: 12)
        let g = 400
        let dispersion = (0..<g).map { _ in Float(0.3 + 4 * generator.nextUniform()) }
        let means = (0..<g).map { _ in Float(exp(1.5 * generator.nextNormal())) }
        for factor in [0.2, 1.0, 6.0] {
            let counts = (0..<g).map { Float(generator.nextNegativeBinomial(mean: Double(means[$0]), dispersion: factor * Double(dispersion[$0]))) }
            func direct(_ logFactor: Double) -> Double {
                (0..<g).reduce(0) { sum, j in
                    let (y, mu, t) = (Double(counts[j]), Double(means[j]), exp(logFactor) * Double(dispersion[j]))
                    return sum + lgamma(y + t) - lgamma(t) + t * log(t) - (t + y) * log(t + mu)
                }
            }
            let fitted = counts.withUnsafeBufferPointer { y in
                means.withUnsafeBufferPointer { NegativeBinomialFit.factor(counts: y, means: $0, dispersion: dispersion) }
            }
            func argmax(_ grid: [Double]) -> Double { grid.max { direct($0) < direct($1) }! }
            let range = NegativeBinomialFit.logFactorRange
            let coarse = argmax(Array(stride(from: range.lowerBound, through: range.upperBound, by: 1e-2)))
            let best = argmax(Array(stride(from: max(range.lowerBound, coarse - 1e-2), through: min(range.upperBound, coarse + 1e-2), by: 1e-4)))
            XCTAssertEqual(log(fitted), best, accuracy: 2e-4, "φ \(factor): fitted \(fitted), grid \(exp(best))")
        }
    }
}
