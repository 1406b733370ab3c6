import CellData
@testable import Diffusion
import Foundation
import Kernels
import XCTest

/// The count model on cells drawn from a known negative-binomial model: it recovers the
/// dispersion, and counts it draws around real cells have the real cells' zeros and sizes.
final class CountModelTests: XCTestCase {
    /// Cells of two types whose counts are NB(L · p_type, θ) over `genes` genes, with
    /// library sizes spread log-normally; returned log-normalised with their sizes.
    func cells(_ n: Int, genes: Int, theta: Double, seed: UInt64) -> (CellMatrix, [Float], CellMatrix) {
        var generator = SeededGenerator(seed: seed)
        let profiles = (0..<2).map { type in (0..<genes).map { j in 0.2 + Double((j * (type + 3)) % 7) } }
        var counts = [Float](repeating: 0, count: n * genes), sizes = [Float](repeating: 0, count: n)
        for c in 0..<n {
            let p = profiles[c % 2], total = p.reduce(0, +)
            let library = 2000 * exp(0.3 * Double(generator.nextNormal()))
            for j in 0..<genes {
                counts[c * genes + j] = Float(generator.nextNegativeBinomial(mean: library * p[j] / total, dispersion: theta))
            }
            sizes[c] = counts[(c * genes)..<((c + 1) * genes)].reduce(0, +)
        }
        let m = CellMatrix(cells: n, genes: genes, values: counts)
        var normalised = m
        Preprocessing.normalizeTotal(&normalised)
        Preprocessing.log1p(&normalised)
        return (normalised, sizes, m)
    }

    func testDispersionFitRecoversTheta() {
        var generator = SeededGenerator(seed: 9)
        for theta in [0.5, 2.0, 20.0] {
            let means = (0..<20_000).map { 0.5 + Double($0 % 9) }
            let counts = means.map { Double(generator.nextNegativeBinomial(mean: $0, dispersion: theta)) }
            XCTAssertEqual(CountModel.fitDispersion(counts: counts, means: means), theta, accuracy: 0.1 * theta, "θ \(theta)")
        }
    }

    func testCountsAroundRealCellsReproduceTheirZerosAndSizes() throws {
        let (cells, sizes, counts) = cells(2000, genes: 30, theta: 1.5, seed: 4)
        let basis = try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(2)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: basis, targetSum: 1e4)
        let median = model.dispersion.sorted()[15]
        XCTAssertEqual(Double(median), 1.5, accuracy: 0.5, "the dispersion the cells were drawn with")
        let drawn = model.counts(for: cells, seed: 1)
        XCTAssertEqual(drawn.counts.cells, 2000)
        XCTAssertTrue(drawn.counts.values.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
        func zeros(_ m: CellMatrix, _ j: Int) -> Double { Double((0..<m.cells).filter { m.values[$0 * m.genes + j] == 0 }.count) / Double(m.cells) }
        let gap = (0..<30).map { abs(zeros(counts, $0) - zeros(drawn.counts, $0)) }.reduce(0, +) / 30
        XCTAssertLessThan(gap, 0.02, "mean per-gene zero-fraction gap")
        let realMean = sizes.reduce(0, +) / 2000, drawnMean = drawn.librarySizes.reduce(0, +) / 2000
        XCTAssertEqual(drawnMean, realMean, accuracy: 0.05 * realMean)
        // Log-normalised with their own sizes, as the training cells were.
        let first = drawn.logNormalised.values[0], expected = log1p(drawn.counts.values[0] / drawn.librarySizes[0] * 1e4)
        XCTAssertEqual(first, expected, accuracy: 1e-6)
    }

    func testEachCellDependsOnlyOnTheSeedAndItsIndex() throws {
        let (cells, sizes, _) = cells(200, genes: 12, theta: 3, seed: 5)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(3), targetSum: 1e4)
        let all = model.counts(for: cells, seed: 7).counts
        let some = model.counts(for: HeldOutSplit.rows(cells, [0, 1, 2]), seed: 7).counts
        XCTAssertEqual(Array(all.values[0..<36]), some.values)
        XCTAssertNotEqual(model.counts(for: cells, seed: 8).counts.values, all.values)
    }
}
