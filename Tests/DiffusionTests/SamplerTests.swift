import Diffusion
import Kernels
import Networks
import TestSupport
import XCTest

/// The exact noise predictor for data that is one point c: ε̂(x, t) = (x − √ᾱ_t·c) / √(1 − ᾱ_t).
final class PointMassOracle: NoisePredictor {
    let point: [Float]
    var output = FloatBuffer(count: 0)
    init(point: [Float]) { self.point = point }
    var inputWidth: Int { point.count }

    func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?, batch: Int) -> ConstFloatPointer {
        let ab = NoiseSchedule.standard.alphaBars
        if output.count != batch * inputWidth { output = FloatBuffer(count: batch * inputWidth) }
        for c in 0..<batch {
            let a = ab[Int(t[c])]
            for j in 0..<inputWidth {
                let i = c * inputWidth + j
                output[i] = Float((Double(x[i]) - a.squareRoot() * Double(point[j])) / (1 - a).squareRoot())
            }
        }
        return output.constPointer
    }
}

final class SamplerTests: XCTestCase {
    let point: [Float] = [0, 0.5, 1, 2, 3.5, 0.25]

    func testReferenceSubsequenceForOneHundredSteps() {
        let visits = SamplerSettings(steps: 100).ddimTimesteps
        XCTAssertEqual(visits, Array(stride(from: 990, through: 10, by: -10)) + [1])
        XCTAssertEqual(SamplerSettings(steps: 1000).ddimTimesteps.count, 999)
        XCTAssertEqual(SamplerSettings(steps: 1).ddimTimesteps, [1])
    }

    /// With the exact predictor of a point mass, DDIM (η = 0) lands on the point; the
    /// reference ending stops at ᾱ_0, a hair away; DDPM lands on it up to its own small noise.
    func testDDIMAndDDPMRecoverAPointMass() {
        let oracle = PointMassOracle(point: point)
        let clean = Sampler(settings: SamplerSettings(method: .ddim, steps: 50, eta: 0, ending: .clean, seed: 1))
            .sample(oracle, cells: 8, batch: 8)
        for (i, v) in clean.enumerated() { XCTAssertEqual(v, point[i % point.count], accuracy: 1e-4) }

        let reference = Sampler(settings: SamplerSettings(method: .ddim, steps: 50, eta: 0, seed: 1))
            .sample(oracle, cells: 8, batch: 8)
        let farthest = reference.enumerated().map { abs($0.element - point[$0.offset % point.count]) }.max()!
        XCTAssertLessThan(farthest, 0.05, "the reference ending is √(1 − ᾱ_0) ≈ 0.01 noise away")

        for method in [SamplerSettings.Method.ddpm, .ddim] {
            let cells = Sampler(settings: SamplerSettings(method: method, steps: 100, eta: 1, clampNonNegative: false, seed: 2))
                .sample(oracle, cells: 64, batch: 16)
            for j in 0..<point.count {
                let column = (0..<64).map { Double(cells[$0 * point.count + j]) }
                let mean = column.reduce(0, +) / 64
                XCTAssertEqual(mean, Double(point[j]), accuracy: 0.02, "\(method) gene \(j)")
                XCTAssertLessThan(column.map { abs($0 - Double(point[j])) }.max()!, 0.2, "\(method) gene \(j)")
            }
        }
    }

    /// Clamping the clean estimate leaves a non-negative point where it is and moves a
    /// negative coordinate to 0 along the whole trajectory.
    func testClampingTheCleanEstimate() {
        let settings = SamplerSettings(method: .ddim, steps: 50, eta: 0, ending: .clean, clampNonNegative: false,
                                       clampEstimate: true, seed: 1)
        let kept = Sampler(settings: settings).sample(PointMassOracle(point: point), cells: 4, batch: 4)
        for (i, v) in kept.enumerated() { XCTAssertEqual(v, point[i % point.count], accuracy: 1e-4) }
        let moved = Sampler(settings: settings).sample(PointMassOracle(point: [-1, 2]), cells: 4, batch: 4)
        for c in 0..<4 {
            XCTAssertEqual(moved[2 * c], 0, accuracy: 1e-4)
            XCTAssertEqual(moved[2 * c + 1], 2, accuracy: 1e-4)
        }
    }

    /// A network whose output is not finite (a point of NaN) is an error, however the cells
    /// are clamped: clamping at 0 keeps NaN rather than hiding it as 0.
    func testCellsThatAreNotFiniteAreAnError() {
        let broken = PointMassOracle(point: [1, .nan, 2])
        for clamp in [true, false] {
            let cells = Sampler(settings: SamplerSettings(steps: 5, clampNonNegative: clamp, seed: 1)).sample(broken, cells: 2)
            XCTAssertTrue(cells.contains { $0.isNaN }, "clamped: \(clamp)")
            XCTAssertThrowsError(try NetworkSpace.network.generate(broken, settings: SamplerSettings(steps: 5, clampNonNegative: clamp), cells: 2)) {
                XCTAssertTrue("\($0)".contains("the generated cells are not finite"), "\($0)")
            }
        }
        XCTAssertNoThrow(try NetworkSpace.network.generate(PointMassOracle(point: point), settings: SamplerSettings(steps: 5), cells: 2))
    }

    func testDeterministicAndIndependentOfTheBatchSize() throws {
        let config = try ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 4, hiddenSize: 16, depth: 1, heads: 2)
        let network = DiffusionTransformer.random(config, seed: 3, scale: 0.5)
        for eta in [0.0, 1.0] {
            let settings = SamplerSettings(method: .ddim, steps: 20, eta: eta, seed: 7)
            let a = Sampler(settings: settings).sample(network, cells: 7, batch: 7)
            let b = Sampler(settings: settings).sample(network, cells: 7, batch: 3)
            // The same draws; OpenBLAS may round a product of 3 rows differently from one of 7.
            XCTAssertEqual(a.count, b.count)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5 * max(1, abs(x)), "η \(eta)") }
            var other = settings
            other.seed = 8
            XCTAssertNotEqual(a, Sampler(settings: other).sample(network, cells: 7, batch: 7))
            XCTAssertTrue(a.allSatisfy { $0 >= 0 }, "clamped at zero")
            XCTAssertTrue(a.contains { $0 > 0 })
            // Cells 4…6 drawn on their own (a block of a large sample) are the same cells.
            let tail = Sampler(settings: settings).sample(network, cells: 3, firstCell: 4, batch: 3)
            for (x, y) in zip(a[(4 * 12)...], tail) { XCTAssertEqual(x, y, accuracy: 1e-5 * max(1, abs(x)), "η \(eta)") }
        }
    }
}
