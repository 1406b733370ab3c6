import Kernels
import Networks
import TestSupport
import XCTest

/// An inference-only network (blocks sharing one set of activations) predicts exactly
/// what a training network predicts.
final class InferenceModeTests: XCTestCase {
    func testInferenceOnlyForwardIsBitIdentical() throws {
        Threads.configure(2)
        for config in [
            try ModelConfig(architecture: .whiteBox, inputWidth: 22, patchSize: 4, hiddenSize: 16, depth: 3, heads: 2),
            try ModelConfig(architecture: .dit, inputWidth: 24, patchSize: 4, hiddenSize: 16, depth: 2, heads: 4),
        ] {
            let training = DiffusionTransformer.random(config, seed: 4)
            let inference = DiffusionTransformer(config: config)
            inference.parameters.copy(from: training.parameters)
            inference.inferenceOnly = true
            let data = ToyBatch(batch: 3, genes: config.inputWidth, seed: 5)
            let count = 3 * config.inputWidth
            let expected = Array(UnsafeBufferPointer(start: training.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 3), count: count))
            let actual = Array(UnsafeBufferPointer(start: inference.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 3), count: count))
            XCTAssertEqual(actual, expected, "\(config.architecture)")
            XCTAssertTrue(expected.contains { $0 != 0 })
        }
    }
}
