import CellData
@testable import Diffusion
import Foundation
import Kernels
import XCTest

/// The count model's smooth rank on cells with a known number of programs: molecular
/// cross-validation finds about that many, and counts drawn around cells' projections on
/// it carry the cells' noise once, where a projection that keeps the noise axes doubles it.
final class MolecularCrossValidationTests: XCTestCase {
    /// Cells mixing `programs` gene programs with random weights, Poisson counts over
    /// `genes` genes around them; returned as counts, whole-transcriptome sizes (the genes
    /// here are 80% of each library) and log-normalised values.
    func cells(_ n: Int, genes: Int, programs: Int, seed: UInt64) -> (counts: CellMatrix, sizes: [Float], cells: CellMatrix) {
        var generator = SeededGenerator(seed: seed)
        let profiles = (0..<programs).map { _ in (0..<genes).map { _ in exp(2 * Double(generator.nextNormal())) } }
        var counts = [Float](repeating: 0, count: n * genes), sizes = [Float](repeating: 0, count: n)
        for c in 0..<n {
            let weights = (0..<programs).map { _ in Double(generator.nextUniform()) + 0.05 }
            let mix = (0..<genes).map { j in (0..<programs).reduce(0.0) { $0 + weights[$1] * profiles[$1][j] } }
            let total = mix.reduce(0, +), library = 3000 * exp(0.3 * Double(generator.nextNormal()))
            for j in 0..<genes { counts[c * genes + j] = Float(generator.nextPoisson(mean: library * mix[j] / total)) }
            sizes[c] = counts[(c * genes)..<((c + 1) * genes)].reduce(0, +) / 0.8
        }
        let m = CellMatrix(cells: n, genes: genes, values: counts)
        var normalised = m
        for c in 0..<n { for j in 0..<genes { normalised.values[c * genes + j] = log1p(counts[c * genes + j] / sizes[c] * 1e4) } }
        return (m, sizes, normalised)
    }

    /// Each gene's variance over the cells.
    func variances(_ m: CellMatrix) -> [Double] {
        (0..<m.genes).map { j in
            let column = (0..<m.cells).map { Double(m.values[$0 * m.genes + j]) }
            let mean = column.reduce(0, +) / Double(m.cells)
            return column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m.cells - 1)
        }
    }

    func testRankFindsTheProgramsNotTheNoise() throws {
        let data = cells(1500, genes: 80, programs: 4, seed: 1)
        let check = try XCTUnwrap(MolecularCrossValidation(counts: data.counts, librarySizes: data.sizes, targetSum: 1e4,
                                                           maxComponents: 60, seed: 2))
        // Four programs with weights summing to anything span four directions after centring.
        XCTAssertTrue((3...6).contains(check.rank), "rank \(check.rank), losses \(check.losses.prefix(10))")
        XCTAssertEqual(check.losses.count, 61)
        XCTAssertGreaterThan(check.losses[60], check.losses[check.rank] * 1.05, "the noise axes predict held-out molecules worse")
        XCTAssertLessThan(check.losses[check.rank], check.losses[0] * 0.9)
        let again = MolecularCrossValidation(counts: data.counts, librarySizes: data.sizes, targetSum: 1e4, maxComponents: 60, seed: 2)
        XCTAssertEqual(again?.losses, check.losses, "the same seed splits the same molecules")
    }

    /// Counts drawn around real cells (a network that reproduced them exactly): at the
    /// cross-validated rank each gene's variance is the real one; at every component, the
    /// noise is counted twice.
    func testCountsAtTheChosenRankCarryTheNoiseOnce() throws {
        let data = cells(1500, genes: 80, programs: 4, seed: 3)
        let rank = try XCTUnwrap(MolecularCrossValidation(counts: data.counts, librarySizes: data.sizes, targetSum: 1e4,
                                                          maxComponents: 79, seed: 4)).rank
        let axes = try XCTUnwrap(PrincipalBasis(fitting: data.cells))
        func varianceRatio(_ components: Int) -> Double {
            let model = CountModel(fitting: data.cells, librarySizes: data.sizes, basis: axes.leading(components), targetSum: 1e4)
            let drawn = model.counts(for: data.cells, seed: 5)
            let ratios = zip(variances(drawn.counts), variances(data.counts)).filter { $0.1 > 0 }.map { $0.0 / $0.1 }.sorted()
            return ratios[ratios.count / 2]
        }
        let calibrated = varianceRatio(rank), noisy = varianceRatio(79)
        XCTAssertTrue((0.85...1.2).contains(calibrated), "rank \(rank): variance ratio \(calibrated)")
        XCTAssertGreaterThan(noisy, 1.25, "every component: variance ratio \(noisy)")
    }
}
