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

    /// With BF16 products, after the first step: at one token a gene, the step's 4 × 30 rows
    /// fit one row block of the BF16 kernel, 8 × 30 need its per-thread scratch, which the
    /// first step grows and the later ones reuse.
    func testTheBF16StepAllocatesNothingAfterItsFirst() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        try assertNoAllocation(target: .velocity, minSNR: nil, timestepPower: nil, precision: .bfloat16, patch: 1, batch: 4)
        try assertNoAllocation(target: .velocity, minSNR: nil, timestepPower: nil, precision: .bfloat16, patch: 1, batch: 8)
    }

    func assertNoAllocation(target: PredictionTarget?, minSNR: Double?, timestepPower: Double?,
                            precision: ProductPrecision = .float32, patch: Int = 3, batch: Int = 4) throws {
        let model = try ModelConfig(architecture: .whiteBox, inputWidth: 30, patchSize: patch, hiddenSize: 32, depth: 2, heads: 4)
        var config = TrainingConfig(softwareVersion: "test", model: model,
                                    data: DataSource(path: "toy", checksum: "0", cells: 10, genes: 30, nonNegative: true),
                                    batch: batch, learningRate: LearningRateSchedule(peakRate: 1e-3, totalSteps: 10),
                                    gradientClip: 0.5, emaDecay: 0.99, seed: 1, threads: 2, totalSteps: 10)
        config.predictionTarget = target
        config.minSNRGamma = minSNR
        config.timestepPower = timestepPower
        config.productPrecision = precision
        Threads.configure(2)
        let cells = CellMatrix(cells: 10, genes: 30, values: (0..<300).map { Float($0 % 7) })
        let step = TrainingStep(config: config, cells: cells, network: DiffusionTransformer(config: model, seed: 1))
        XCTAssertTrue(try step.run(rate: 1e-3))
        // Five steps cross an epoch boundary (10 cells, batch 4 or 8).
        XCTAssertEqual(try allocations { for _ in 0..<5 { _ = try step.run(rate: 1e-3) } }, 0)
        XCTAssertEqual(step.epoch, batch == 4 ? 2 : 5)
        XCTAssertTrue(step.loss.isFinite)
    }
}
