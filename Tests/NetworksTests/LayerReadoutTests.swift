import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

final class LayerReadoutTests: XCTestCase {
    /// N copies of one unit token: Z Zᵀ has one eigenvalue N, so R = ½ ln(1 + p/ε²).
    func testIdenticalTokensHaveTheRateOfOneDirection() {
        let (n, p) = (10, 4)
        let z = FloatBuffer((0..<(n * p)).map { Float($0 % p + 1) })
        let rate = LayerReadout.codingRate(z.constPointer, tokens: n, width: p, ld: p)
        XCTAssertEqual(rate, 0.5 * log(1 + Double(p) / 0.01), accuracy: 1e-9)
    }

    /// The ceiling is reached by tokens spread evenly over min(N, p) directions — N
    /// orthonormal tokens when N ≤ p, each axis equally often when N > p — and random
    /// tokens stay below it.
    func testTheCeilingIsReachedByEvenlySpreadTokens() {
        var generator = SeededGenerator(seed: 4)
        for (n, p) in [(3, 8), (5, 32), (8, 8), (16, 4)] {
            let z = FloatBuffer((0..<(n * p)).map { Float($0 % p == ($0 / p) % p ? 1 : 0) })
            let ceiling = LayerReadout.codingRateCeiling(heads: 1, headWidth: p, tokens: n)
            XCTAssertEqual(LayerReadout.codingRate(z.constPointer, tokens: n, width: p, ld: p), ceiling, accuracy: 1e-6 * ceiling, "N \(n), p \(p)")
            let random = FloatBuffer.random(n * p, generator: &generator)
            XCTAssertLessThan(LayerReadout.codingRate(random.constPointer, tokens: n, width: p, ld: p), ceiling, "N \(n), p \(p)")
        }
        XCTAssertEqual(LayerReadout.codingRateCeiling(heads: 8, headWidth: 32, tokens: 5), 8 * 2.5 * log(641), accuracy: 1e-9)
    }

    /// The p × p form equals the definition's N × N determinant, computed naively.
    func testRateMatchesTheTokenByTokenDeterminant() {
        var generator = SeededGenerator(seed: 8)
        let (n, p, ld) = (7, 3, 5)
        let z = FloatBuffer.random(n * ld, generator: &generator)
        var unit = [[Double]](repeating: [Double](repeating: 0, count: p), count: n)
        for t in 0..<n {
            let row = (0..<p).map { Double(z[t * ld + $0]) }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            unit[t] = row.map { $0 / norm }
        }
        let a = Double(p) / (Double(n) * 0.01)
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n { m[i][j] = (i == j ? 1 : 0) + a * zip(unit[i], unit[j]).reduce(0) { $0 + $1.0 * $1.1 } } }
        // Gaussian elimination for the determinant.
        var logDet = 0.0
        for k in 0..<n {
            logDet += log(m[k][k])
            for i in (k + 1)..<n {
                let f = m[i][k] / m[k][k]
                for j in k..<n { m[i][j] -= f * m[k][j] }
            }
        }
        XCTAssertEqual(LayerReadout.codingRate(z.constPointer, tokens: n, width: p, ld: ld), 0.5 * logDet, accuracy: 1e-9)
    }

    func testNetworkReadoutsAreWithinTheirBounds() throws {
        for architecture in Architecture.allCases {
            let config = try ModelConfig(architecture: architecture, inputWidth: 40, patchSize: 4, hiddenSize: 16, depth: 2, heads: 2)
            let network = DiffusionTransformer.random(config, seed: 2)
            let data = ToyBatch(batch: 3, genes: 40, seed: 3)
            network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 3)
            let readouts = network.readouts()
            XCTAssertEqual(readouts.map(\.layer), [0, 1])
            let ceiling = LayerReadout.codingRateCeiling(heads: 2, headWidth: 8, tokens: config.tokens)
            for r in readouts {
                XCTAssertGreaterThan(r.codingRate, 0)
                XCTAssertLessThanOrEqual(r.codingRate, ceiling)
                XCTAssertTrue((0...1).contains(r.sparsity))
            }
            if architecture == .whiteBox {
                XCTAssertGreaterThan(readouts[0].sparsity, 0, "ISTA's ReLU zeroes some entries")
            }
        }
    }
}
