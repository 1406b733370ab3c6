import Kernels
import Networks
import TestSupport
import XCTest

/// The analytic FLOP count that benchmarks report agrees with the products the engine runs.
final class StepCostTests: XCTestCase {
    func testCountMatchesTheProductsPerformed() throws {
        Threads.configure(1)
        defer { Threads.configure(2); Matmul.countsFlops = false }
        for config in [
            try ModelConfig(architecture: .whiteBox, inputWidth: 24, patchSize: 4, hiddenSize: 16, depth: 2, heads: 2),
            try ModelConfig(architecture: .whiteBox, inputWidth: 20, patchSize: 5, hiddenSize: 8, depth: 1, heads: 1),
            try ModelConfig(architecture: .dit, inputWidth: 22, patchSize: 4, hiddenSize: 16, depth: 2, heads: 4),
        ] {
            let network = DiffusionTransformer.random(config, seed: 1)
            let data = ToyBatch(batch: 3, genes: config.inputWidth, seed: 2)
            let cost = StepCost(config: config, batch: 3)
            Matmul.countsFlops = true
            Matmul.countedFlops = 0
            network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 3)
            XCTAssertEqual(Matmul.countedFlops, cost.forwardFlops, "\(config.architecture) forward")
            Matmul.countedFlops = 0
            network.backward(dOutput: data.noise.constPointer)
            XCTAssertEqual(Matmul.countedFlops, cost.backwardFlops, "\(config.architecture) backward")
        }
    }
}
