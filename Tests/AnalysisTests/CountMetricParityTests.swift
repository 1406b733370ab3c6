import Analysis
import CellData
import Foundation
import XCTest

/// The count-level, calibration, memorisation and differential-expression metrics against scipy and scanpy on the
/// committed metric fixtures (`Tests/AnalysisTests/Fixtures/make_count_metric_fixtures.py`).
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

    func testCalibrationMatchesNumPyAndScipy() throws {
        let (real, generated) = try cells()
        let e = try expected()
        let ours = CountLevelComparison(real: counts(real), generated: counts(generated))
        XCTAssertEqual(ours.varianceRatioMedian, try XCTUnwrap(e["varianceRatioMedian"] as? Double), accuracy: 1e-9)
        XCTAssertEqual(ours.varianceRatioP90, try XCTUnwrap(e["varianceRatioP90"] as? Double), accuracy: 1e-9)
        XCTAssertEqual(ours.geneCVSpearman, try XCTUnwrap(e["geneCVSpearman"] as? Double), accuracy: 1e-9)
        XCTAssertEqual(ours.cellCVWasserstein, try XCTUnwrap(e["cellCVW1"] as? Double), accuracy: 1e-9)
        // The same counts twice: every ratio 1, the coefficients of variation alike.
        let same = CountLevelComparison(real: counts(real), generated: counts(real))
        XCTAssertEqual(same.varianceRatioMedian, 1, accuracy: 1e-12)
        XCTAssertEqual(same.cellCVWasserstein, 0, accuracy: 1e-12)
    }

    /// Eight copies of training cells among new ones, as scikit-learn's nearest neighbours see them.
    func testCopyingMatchesScikitLearn() throws {
        let real = try cells().real
        let half = real.cells / 2
        let training = HeldOutSplit.rows(real, Array(0..<half)), heldOut = HeldOutSplit.rows(real, Array(half..<real.cells))
        let copied = HeldOutSplit.rows(real, Array(0..<8) + stride(from: half, to: real.cells, by: 2))
        let e = try expected()
        let ours = NearestCellDistance.copying(generated: copied, heldOut: heldOut, training: training)
        XCTAssertEqual(ours.medianRatio, try XCTUnwrap(e["nearestTrainingRatio"] as? Double), accuracy: 1e-5)
        XCTAssertEqual(ours.nearCopyShare, try XCTUnwrap(e["nearCopyShare"] as? Double), accuracy: 1e-12)
        XCTAssertGreaterThan(ours.nearCopyShare, 8.0 / Double(copied.cells) - 1e-12)
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
