import Analysis
import CellData
import Foundation
import XCTest

/// The count-level and differential-expression metrics against scipy and scanpy on the
/// committed metric fixtures (`benchmarks/make_count_metric_fixtures.py`).
final class CountMetricParityTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func expected() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-counts.json")))) as? [String: Any])
    }

    /// The fixtures' values are log1p of counts, so the counts are expm1 of them.
    func cells() throws -> (real: CellMatrix, generated: CellMatrix) {
        (try CellMatrix.load(npy: fixture("real.npy")), try CellMatrix.load(npy: fixture("generated.npy")))
    }

    func counts(_ m: CellMatrix) -> CellMatrix {
        CountStatistics.counts(logNormalised: m, librarySizes: Array(repeating: 1e4, count: m.cells), targetSum: 1e4)
    }

    func labels(_ n: Int, step: Int) -> [String] { (0..<n).map { ["a", "b", "c"][($0 * step) % 3] } }

    func testKolmogorovSmirnovMatchesScipy() throws {
        let (real, generated) = try cells()
        let reference = try XCTUnwrap(try expected()["ksMean"] as? Double)
        XCTAssertEqual(GeneLevelComparison(real: real, generated: generated).meanKolmogorovSmirnov, reference, accuracy: 1e-12)
    }

    func testLibrarySizeAndGenesDetectedMatchScipy() throws {
        let (real, generated) = try cells()
        let e = try expected()
        let ours = CountLevelComparison(real: counts(real), generated: counts(generated))
        XCTAssertEqual(ours.librarySizeWasserstein, try XCTUnwrap(e["librarySizeW1Log"] as? Double), accuracy: 1e-9)
        XCTAssertEqual(ours.genesDetectedWasserstein, try XCTUnwrap(e["genesDetectedW1Log"] as? Double), accuracy: 1e-9)
    }

    func testFoldChangesMatchScanpy() throws {
        let (real, generated) = try cells()
        let e = try expected()
        let ours = try XCTUnwrap(FoldChangeAgreement.logFoldChanges(real, labels: labels(real.cells, step: 1))["a"])
        let scanpy = try XCTUnwrap(e["foldChangesA"] as? [Double])
        XCTAssertEqual(ours.count, scanpy.count)
        // scanpy computes the group means in float32.
        for (a, b) in zip(ours, scanpy) { XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-5 * abs(b)) }
        let top = try XCTUnwrap(e["foldChangeTop"] as? Int)
        let r = FoldChangeAgreement.meanCorrelation(real: real, realLabels: labels(real.cells, step: 1), generated: generated,
                                                    generatedLabels: labels(generated.cells, step: 7), top: top)
        XCTAssertEqual(r, try XCTUnwrap(e["foldChangeMeanR"] as? Double), accuracy: 1e-4)
    }
}
