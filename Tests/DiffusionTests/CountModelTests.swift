import CellData
@testable import Diffusion
import Foundation
import Kernels
import XCTest

/// The count model on cells drawn from a known negative-binomial model: counts it draws
/// around real cells have the real cells' zeros, sizes, variances and genes detected.
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

    func testCountsAroundRealCellsReproduceTheirZerosAndSizes() throws {
        let (cells, sizes, counts) = cells(2000, genes: 30, theta: 1.5, seed: 4)
        let basis = try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(2)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: basis, targetSum: 1e4)
        let drawn = model.counts(for: cells, seed: 1)
        // The noise counted once: each gene's variance that of the cells.
        func variance(_ m: CellMatrix, _ j: Int) -> Double {
            let column = (0..<m.cells).map { Double(m.values[$0 * m.genes + j]) }
            let mean = column.reduce(0, +) / Double(m.cells)
            return column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m.cells - 1)
        }
        let ratios = (0..<30).map { variance(drawn.counts, $0) / variance(counts, $0) }.sorted()
        XCTAssertEqual(ratios[15], 1, accuracy: 0.15, "median over genes of the variance, drawn over real")
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

    /// Cells of one composition and one depth whose complexity differs: half are drawn with
    /// dispersion 0.2 (few genes detected), half with 20. One dispersion per gene would give
    /// every cell the same genes detected; the donors give each drawn cell its own.
    func testCountsKeepTheSpreadOfGenesDetected() throws {
        let (n, genes) = (1200, 60)
        var generator = SeededGenerator(seed: 8)
        let profile = (0..<genes).map { 0.05 + Double(($0 * 5) % 11) }, total = profile.reduce(0, +)
        var counts = [Float](repeating: 0, count: n * genes), sizes = [Float](repeating: 0, count: n)
        for c in 0..<n {
            let theta = c % 2 == 0 ? 0.2 : 20.0
            for j in 0..<genes {
                counts[c * genes + j] = Float(generator.nextNegativeBinomial(mean: 150 * profile[j] / total, dispersion: theta))
            }
            sizes[c] = max(1, counts[(c * genes)..<((c + 1) * genes)].reduce(0, +))
        }
        var cells = CellMatrix(cells: n, genes: genes, values: counts)
        Preprocessing.normalizeTotal(&cells)
        Preprocessing.log1p(&cells)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(2), targetSum: 1e4)
        func logDetected(_ m: CellMatrix) -> [Double] { CountStatistics.detected(m).map { Foundation.log1p($0) } }
        let real = logDetected(CellMatrix(cells: n, genes: genes, values: counts))
        let drawn = logDetected(model.counts(for: cells, seed: 2).counts)
        func sd(_ x: [Double]) -> Double {
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)).squareRoot()
        }
        XCTAssertEqual(sd(drawn), sd(real), accuracy: 0.15 * sd(real), "the spread of genes detected")
        let sortedReal = real.sorted(), sortedDrawn = drawn.sorted()
        let distance = zip(sortedReal, sortedDrawn).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(n)
        XCTAssertLessThan(distance, 0.08, "W1 of ln(1 + genes detected)")
    }

    func testEachCellDependsOnlyOnTheSeedAndItsIndex() throws {
        let (cells, sizes, _) = cells(200, genes: 12, theta: 3, seed: 5)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(3), targetSum: 1e4)
        let all = model.counts(for: cells, seed: 7).counts
        let some = model.counts(for: HeldOutSplit.rows(cells, [0, 1, 2]), seed: 7).counts
        XCTAssertEqual(Array(all.values[0..<36]), some.values)
        let later = model.counts(for: HeldOutSplit.rows(cells, [150, 151]), seed: 7, firstCell: 150).counts
        XCTAssertEqual(Array(all.values[(150 * 12)..<(152 * 12)]), later.values, "a block of a large sample")
        XCTAssertNotEqual(model.counts(for: cells, seed: 8).counts.values, all.values)
    }

    /// Written and read back, the model draws the same counts; an older format is outdated.
    func testFileRoundTripDrawsTheSameCounts() throws {
        let (cells, sizes, _) = cells(300, genes: 12, theta: 3, seed: 6)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(3), targetSum: 1e4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("count-model-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + CountModel.fileName
        try model.write(to: path)
        XCTAssertFalse(CountModel.isOutdated(path))
        let read = try CountModel(contentsOf: path, genes: 12)
        XCTAssertEqual(read.counts(for: cells, seed: 3).counts.values, model.counts(for: cells, seed: 3).counts.values)
        XCTAssertThrowsError(try CountModel(contentsOf: path, genes: 13))
    }

    /// Cells from a network far from trained (values whose expm1 overflows) give counts,
    /// not a trap: each gene's mean is at most the whole library.
    func testExtremeGeneratedCellsGiveBoundedCounts() throws {
        let (cells, sizes, _) = cells(200, genes: 12, theta: 3, seed: 5)
        let model = CountModel(fitting: cells, librarySizes: sizes, basis: try XCTUnwrap(PrincipalBasis(fitting: cells)).leading(3), targetSum: 1e4)
        let extreme = CellMatrix(cells: 4, genes: 12, values: (0..<48).map { $0 % 2 == 0 ? 1e4 : 40 })
        let drawn = model.counts(for: extreme, seed: 1)
        XCTAssertTrue(drawn.counts.values.allSatisfy { $0.isFinite && $0 >= 0 })
        XCTAssertTrue(drawn.logNormalised.values.allSatisfy(\.isFinite))
    }
}
