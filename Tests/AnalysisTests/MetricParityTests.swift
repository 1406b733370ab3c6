import Analysis
import CellData
import Foundation
import TestSupport
import XCTest

/// The gene-level metrics against scipy and NumPy on committed matrices
/// (`Tests/AnalysisTests/Fixtures/make_metric_fixtures.py`).
final class MetricParityTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func expected() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected.json")))) as? [String: Any])
    }

    func matrices() throws -> (CellMatrix, CellMatrix) {
        (try CellMatrix.load(npy: fixture("real.npy")), try CellMatrix.load(npy: fixture("generated.npy")))
    }

    func testGeneLevelMetricsMatchScipy() throws {
        let (real, generated) = try matrices()
        let e = try expected()
        let ours = GeneLevelComparison(real: real, generated: generated)
        let pairs: [(String, Double)] = [
            ("meanPearson", ours.meanPearson), ("meanSpearman", ours.meanSpearman),
            ("variancePearson", ours.variancePearson), ("varianceSpearman", ours.varianceSpearman),
            ("meanWasserstein", ours.meanWasserstein), ("geneZeroFractionGap", ours.geneZeroFractionGap),
            ("cellZeroFractionGap", ours.cellZeroFractionGap),
        ]
        for (key, value) in pairs {
            let reference = try XCTUnwrap(e[key] as? Double, key)
            XCTAssertEqual(value, reference, accuracy: 1e-9 + 1e-6 * abs(reference), key)
        }
    }

    func testKLDivergencesMatchScipy() throws {
        let (real, generated) = try matrices()
        let e = try expected()
        XCTAssertEqual(KLDivergence.reference(real: real, generated: generated), try XCTUnwrap(e["klReference"] as? Double), accuracy: 1e-6)
        XCTAssertEqual(KLDivergence.perGeneHistogram(real: real, generated: generated), try XCTUnwrap(e["klPerGene"] as? Double), accuracy: 1e-6)
        XCTAssertEqual(KLDivergence.perGeneHistogram(real: real, generated: real), 0, accuracy: 1e-12)
    }

    func testGeneCorrelationStructureMatchesNumPy() throws {
        let (real, generated) = try matrices()
        let e = try expected()
        let ours = GeneCorrelationStructure(real: real, generated: generated, topGenes: 20)
        XCTAssertEqual(ours.genes, try XCTUnwrap(e["structureGenes"] as? [Int]))
        // Correlations go through a Float32 sgemm: agreement to 1e-5.
        XCTAssertEqual(ours.pearson, try XCTUnwrap(e["structurePearson"] as? Double), accuracy: 1e-5)
        XCTAssertEqual(ours.rmse, try XCTUnwrap(e["structureRMSE"] as? Double), accuracy: 1e-5)
        // A matrix against itself: perfect structure.
        let itself = GeneCorrelationStructure(real: real, generated: real, topGenes: 20)
        XCTAssertEqual(itself.pearson, 1, accuracy: 1e-9)
        XCTAssertEqual(itself.rmse, 0, accuracy: 1e-9)
    }

    func testWassersteinAndRanksOnKnownCases() {
        XCTAssertEqual(Wasserstein.distance([0, 1, 3], [5, 6, 8]), 5, accuracy: 1e-12)
        XCTAssertEqual(Wasserstein.distance([0, 0, 1], [0, 1, 1]), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(Correlation.ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
        XCTAssertTrue(Correlation.pearson([1, 1, 1], [1, 2, 3]).isNaN, "a constant side has no correlation")
    }
}
