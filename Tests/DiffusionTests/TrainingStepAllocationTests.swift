import CellData
@testable import Diffusion
import Kernels
import Networks
import TestSupport
import XCTest

/// The trainer's whole step — batch assembly and noising, forward, backward, clipping,
/// AdamW, EMA — allocates nothing, under either recipe's objective and every training option. Every malloc on
/// the threads running it is counted.
final class TrainingStepAllocationTests: XCTestCase {
    func testTheTrainingStepAllocatesNothing() throws {
        try assertNoAllocation(target: nil, minSNR: nil, timestepPower: nil)
    }

    func testTheVelocityMinSNRBiasedTimestepStepAllocatesNothing() throws {
        try assertNoAllocation(target: .velocity, minSNR: 5, timestepPower: 2)
    }

    func testTheBF16StepAllocatesNothing() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        try assertNoAllocation(target: .velocity, minSNR: nil, timestepPower: nil, precision: .bfloat16)
    }

    func assertNoAllocation(target: PredictionTarget?, minSNR: Double?, timestepPower: Double?,
                            precision: ProductPrecision = .float32) throws {
        let model = try ModelConfig(architecture: .whiteBox, genes: 30, patchSize: 3, hiddenSize: 32, depth: 2, heads: 4)
        var config = TrainingConfig(softwareVersion: "test", model: model,
                                    data: DataSource(path: "toy", checksum: "0", cells: 10, genes: 30, nonNegative: true),
                                    batch: 4, learningRate: LearningRateSchedule(peakRate: 1e-3, totalSteps: 10),
                                    gradientClip: 0.5, emaDecay: 0.99, seed: 1, threads: 2, totalSteps: 10)
        config.predictionTarget = target
        config.minSNRGamma = minSNR
        config.timestepPower = timestepPower
        config.productPrecision = precision
        Threads.configure(2)
        let cells = CellMatrix(cells: 10, genes: 30, values: (0..<300).map { Float($0 % 7) })
        let step = TrainingStep(config: config, cells: cells, network: DiffusionTransformer(config: model, seed: 1))
        XCTAssertTrue(try step.run(rate: 1e-3))
        // Five steps cross an epoch boundary (10 cells, batch 4).
        XCTAssertEqual(try allocations { for _ in 0..<5 { _ = try step.run(rate: 1e-3) } }, 0)
        XCTAssertEqual(step.epoch, 2)
        XCTAssertTrue(step.loss.isFinite)
    }
}
