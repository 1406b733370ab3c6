@testable import Diffusion
import XCTest

/// The count model's calibration curve h_g: pooled adjacent violators against hand-worked
/// fits, and on cells where expm1 of a log mean understates the mean, the cells' own mean.
final class ExpressionCalibrationTests: XCTestCase {
    /// Weighted isotonic fits worked by hand (scikit-learn's IsotonicRegression gives the same).
    func testPoolingAdjacentViolatorsGivesTheWeightedMonotoneFit() {
        func fit(_ values: [Double], _ weights: [Double]? = nil) -> [Double] {
            ExpressionCalibration.nonDecreasing(zip(values, weights ?? values.map { _ in 1 }).map { ($0, $1) })
        }
        XCTAssertEqual(fit([1, 2, 3]), [1, 2, 3], "already monotone")
        XCTAssertEqual(fit([1, 3, 2, 4]), [1, 2.5, 2.5, 4])
        XCTAssertEqual(fit([3, 2, 1]), [2, 2, 2], "all pooled")
        XCTAssertEqual(fit([1, 4, 2, 0, 5]), [1, 2, 2, 2, 5], "a pool that grows backwards")
        XCTAssertEqual(fit([4, 1], [3, 1]), [3.25, 3.25], "weighted by group size")
    }

    func testCurveInterpolatesBetweenKnotsAndIsFlatPastThem() {
        let curve = ExpressionCalibration(knotValues: [0, 1, 3], knotMeans: [0, 2, 4], genes: 1, bins: 3)
        XCTAssertEqual(curve.mean(gene: 0, at: -5), 0)
        XCTAssertEqual(curve.mean(gene: 0, at: 0.5), 1, accuracy: 1e-6)
        XCTAssertEqual(curve.mean(gene: 0, at: 2), 3, accuracy: 1e-6)
        XCTAssertEqual(curve.mean(gene: 0, at: 9), 4)
    }

    /// A gene on in 30% of one group's cells at normalised count 10 and off elsewhere: its
    /// smooth value there is log1p(10) · 0.3 = 0.72, whose expm1 (1.05) is a third of the
    /// group's mean (3). The curve gives the group's mean.
    func testCurveGivesTheMeanCountWhereExpm1OfTheMeanLogDoesNot() {
        let (n, perGroup) = (2000, 1000)
        var smooth = [Float](repeating: 0, count: n), normalised = smooth
        for c in 0..<n {
            let inGroup = c < perGroup
            smooth[c] = inGroup ? Float(log1p(10.0) * 0.3) : 0
            normalised[c] = inGroup && c % 10 < 3 ? 10 : 0
        }
        let curve = ExpressionCalibration(smooth: smooth, normalised: normalised, cells: n, genes: 1)
        XCTAssertEqual(curve.bins, 20)
        XCTAssertEqual(curve.mean(gene: 0, at: smooth[0]), 3, accuracy: 0.01)
        XCTAssertEqual(curve.mean(gene: 0, at: 0), 0, accuracy: 0.01)
    }
}
