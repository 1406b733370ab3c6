import Analysis
import CellData
import Foundation
import Kernels
import TestSupport
import XCTest

/// PCA against NumPy's exact SVD, and MMD² in PC space against an independent NumPy
/// computation of the same definition (`Tests/AnalysisTests/Fixtures/make_metric_fixtures.py`).
final class PCAAndMMDTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    func testPCAAndMMDMatchNumPy() throws {
        let real = try CellMatrix.load(npy: fixture("real.npy")), generated = try CellMatrix.load(npy: fixture("generated.npy"))
        let e = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("expected-pca.json")))) as? [String: Any])
        let pca = PCA(fitting: real, components: 10)
        let variances = try XCTUnwrap(e["explainedVariance"] as? [Double])
        for (ours, theirs) in zip(pca.explainedVariance, variances) { XCTAssertEqual(ours, theirs, accuracy: 1e-4 * theirs) }

        // Distances in PC space do not depend on the components' signs.
        let a = pca.transform(real), b = pca.transform(generated)
        let distances = try XCTUnwrap(e["realDistances"] as? [Double])
        for i in 0..<5 { for j in 0..<5 {
            let d = (0..<10).reduce(0.0) { $0 + pow(Double(a.values[i * 10 + $1] - a.values[j * 10 + $1]), 2) }.squareRoot()
            XCTAssertEqual(d, distances[i * 5 + j], accuracy: 1e-4 * max(1, distances[i * 5 + j]))
        } }

        let mmd = MaximumMeanDiscrepancy(a, b)
        XCTAssertEqual(mmd.bandwidth, try XCTUnwrap(e["mmdBandwidth"] as? Double), accuracy: 1e-4)
        XCTAssertEqual(mmd.squared, try XCTUnwrap(e["mmd2"] as? Double), accuracy: 1e-4)
        XCTAssertEqual(mmd.multiBandwidthSquared, try XCTUnwrap(e["mmd2Multi"] as? Double), accuracy: 1e-4)
        XCTAssertEqual(mmd.biasedSquared, try XCTUnwrap(e["mmd2Biased"] as? Double), accuracy: 1e-4)

        let frechet = try XCTUnwrap(e["frechet2"] as? Double)
        XCTAssertEqual(FrechetDistance.squared(a, b), frechet, accuracy: 1e-4 * frechet)
        XCTAssertEqual(FrechetDistance.squared(a, a), 0, accuracy: 1e-6, "a sample against itself")

        XCTAssertEqual(NeighbourClassifierAUC.auc(real: a, generated: b), try XCTUnwrap(e["knnAUC"] as? Double), accuracy: 1e-9)
        // The copying check: exact against a Double brute force on the same coordinates, and
        // within the Float32 PCA's own error (as the variances above) of scikit-learn's.
        let nearest = try XCTUnwrap(e["nearestMedian"] as? Double)
        let brute = (0..<b.cells).map { i in
            (0..<a.cells).map { j in
                (0..<10).reduce(0.0) { $0 + pow(Double(b.values[i * 10 + $1] - a.values[j * 10 + $1]), 2) }.squareRoot()
            }.min()!
        }.sorted()
        XCTAssertEqual(NearestCellDistance.median(of: b, to: a), (brute[24] + brute[25]) / 2, accuracy: 1e-5)
        XCTAssertEqual(NearestCellDistance.median(of: b, to: a), nearest, accuracy: 5e-4 * nearest, "scikit-learn's NearestNeighbors")
        XCTAssertEqual(NearestCellDistance.median(of: a, to: a), 0, "every cell is its own nearest")
    }

    func testClassifierAUCOnKnownCases() {
        var generator = SeededGenerator(seed: 9)
        func sample(_ n: Int, shift: Float) -> CellMatrix {
            CellMatrix(cells: n, genes: 4, values: (0..<(n * 4)).map { _ in generator.nextNormal() + shift })
        }
        let same = NeighbourClassifierAUC.auc(real: sample(300, shift: 0), generated: sample(300, shift: 0))
        let apart = NeighbourClassifierAUC.auc(real: sample(100, shift: 0), generated: sample(100, shift: 10))
        XCTAssertEqual(same, 0.5, accuracy: 0.06, "indistinguishable sets")
        XCTAssertEqual(apart, 1, accuracy: 1e-12, "separate sets")
        XCTAssertEqual(NeighbourClassifierAUC.areaUnderCurve(scores: [0.1, 0.4, 0.35, 0.8], positives: [false, false, true, true]), 0.75)
    }

    func testMMDIsNearZeroForTheSameDistributionAndLargeForShiftedOnes() {
        var generator = SeededGenerator(seed: 3)
        func sample(_ n: Int, shift: Float) -> CellMatrix {
            CellMatrix(cells: n, genes: 3, values: (0..<(n * 3)).map { _ in generator.nextNormal() + shift })
        }
        let same = MaximumMeanDiscrepancy(sample(200, shift: 0), sample(200, shift: 0))
        let shifted = MaximumMeanDiscrepancy(sample(200, shift: 0), sample(200, shift: 2))
        XCTAssertLessThan(abs(same.squared), 0.02)
        XCTAssertGreaterThan(shifted.squared, 0.3)
    }
}
