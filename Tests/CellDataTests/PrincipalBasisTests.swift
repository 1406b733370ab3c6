import CellData
import Foundation
import XCTest

/// The PCA change of basis: an exact round trip, and its variances match NumPy's SVD of
/// the same cells (`Tests/AnalysisTests/Fixtures/make_metric_fixtures.py`).
final class PrincipalBasisTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../AnalysisTests/Fixtures").standardized.path

    func testRoundTripAndVariancesMatchNumPy() throws {
        let real = try CellMatrix.load(npy: fixtures + "/real.npy")   // 60 cells × 40 genes
        let basis = try XCTUnwrap(PrincipalBasis(fitting: real))
        var scores = real.values
        basis.project(&scores)
        var restored = scores
        basis.restore(&restored)
        for (a, b) in zip(restored, real.values) { XCTAssertEqual(a, b, accuracy: 1e-4) }

        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected-pca.json"))) as? [String: Any])
        let variances = try XCTUnwrap(expected["explainedVariance"] as? [Double])
        let g = real.genes
        for (j, theirs) in variances.enumerated() {
            let column = (0..<real.cells).map { Double(scores[$0 * g + j]) }
            let mean = column.reduce(0, +) / Double(column.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-4, "scores are centred")
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count - 1)
            XCTAssertEqual(variance, theirs, accuracy: 1e-4 * theirs, "component \(j)")
        }

        let path = NSTemporaryDirectory() + "basis-\(UUID().uuidString).npy"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try basis.write(npy: path)
        XCTAssertEqual(try PrincipalBasis(npy: path), basis)
        XCTAssertThrowsError(try PrincipalBasis(npy: fixtures + "/real.npy"))
        XCTAssertEqual(try PrincipalBasis(npy: path, components: 7), basis.leading(7))
        XCTAssertThrowsError(try PrincipalBasis(npy: path, components: g + 1))
    }

    /// A basis cut to its leading K axes gives the first K scores, and restores the cells
    /// the full basis restores from those scores with the rest set to 0.
    func testLeadingComponentsAreTheFirstScoresAndRestoreWithoutTheRest() throws {
        let real = try CellMatrix.load(npy: fixtures + "/real.npy")
        let full = try XCTUnwrap(PrincipalBasis(fitting: real)), cut = full.leading(7)
        let (n, g, k) = (real.cells, real.genes, 7)
        var scores = real.values, leading = real.values
        full.project(&scores)
        cut.project(&leading)
        XCTAssertEqual(leading.count, n * k)
        for c in 0..<n { for j in 0..<k { XCTAssertEqual(leading[c * k + j], scores[c * g + j], accuracy: 1e-4) } }

        var padded = scores
        for c in 0..<n { for j in k..<g { padded[c * g + j] = 0 } }
        full.restore(&padded)
        cut.restore(&leading)
        XCTAssertEqual(leading.count, n * g)
        for (a, b) in zip(leading, padded) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        let error = zip(leading, real.values).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
        XCTAssertGreaterThan(error, 1e-3, "seven of forty axes do not hold the cells whole")
    }
}
