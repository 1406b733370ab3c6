import Diffusion
import Kernels
import Networks
import TestSupport
import XCTest

/// The network as a noise predictor runs each pass as one team job; it must predict
/// exactly what the same pass predicts with every loop starting its own job.
final class NoisePredictorTests: XCTestCase {
    func testTeamPassesPredictExactlyWhatOneOffPassesDo() throws {
        Threads.configure(2)
        // The recipe's shape, where the products are large enough to be split across cores.
        for architecture in [Architecture.whiteBox, .dit] {
            let config = try ModelConfig(architecture: architecture, inputWidth: 200, patchSize: 40, hiddenSize: 256,
                                         depth: 3, heads: 8)
            let network = DiffusionTransformer.random(config, seed: 8)
            network.inferenceOnly = true
            for batch in [32, 7] {
                let data = ToyBatch(batch: batch, genes: config.inputWidth, seed: 9)
                let count = batch * config.inputWidth
                let oneOff = Array(UnsafeBufferPointer(
                    start: network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: batch), count: count))
                let team = Array(UnsafeBufferPointer(
                    start: network.predictNoise(x: data.x.constPointer, t: data.t.constPointer, labels: nil, batch: batch),
                    count: count))
                XCTAssertEqual(team, oneOff, "\(architecture), batch \(batch)")
                XCTAssertTrue(oneOff.contains { $0 != 0 })
            }
        }
    }
}
