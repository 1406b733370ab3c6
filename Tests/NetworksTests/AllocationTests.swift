import Kernels
import Networks
import TestSupport
import XCTest

/// The training step — forward, loss gradient, backward, AdamW — allocates nothing once
/// its buffers exist. Every malloc on the threads running the steps is counted.
final class AllocationTests: XCTestCase {
    func testTrainingStepAllocatesNothing() throws {
        Threads.configure(2)
        for architecture in Architecture.allCases {
            let config = try ModelConfig(architecture: architecture, inputWidth: 300, patchSize: 10, hiddenSize: 64,
                                         depth: 2, heads: 4)
            let network = DiffusionTransformer.random(config, seed: 1)
            let optimiser = AdamW(parameterCount: network.parameters.layout.trainableCount)
            let data = ToyBatch(batch: 8, genes: config.inputWidth, seed: 2)
            let dOutput = FloatBuffer(count: 8 * config.inputWidth)
            network.reserve(batch: 8)
            let step: (Int) -> Void = { _ in
                let out = network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: 8)
                MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: out, target: data.noise.constPointer,
                                          count: dOutput.count, normalizer: dOutput.count)
                network.backward(dOutput: dOutput.constPointer)
                optimiser.update(parameters: network.parameters.trainable, gradients: network.gradients.trainable)
            }
            Parallel.team(step)
            XCTAssertEqual(allocations { for _ in 0..<3 { Parallel.team(step) } }, 0,
                           "\(architecture): heap allocations in 3 training steps")
        }
    }

    /// The counter sees exactly one allocation made on the second thread of a team, so the
    /// zeros above mean the step's threads allocated nothing, not that they went unwatched.
    func testTheCounterSeesAWorkerThreadsAllocation() {
        Threads.configure(2)
        let job: (Int) -> Void = { rank in if rank == 1 { free(malloc(64)) } }
        XCTAssertEqual(allocations { Parallel.team(job) }, 1)
    }

    /// The same step run as a team (every thread calling it) and run from one thread
    /// (each loop starting its own split) gives bit-identical results, for both networks, at
    /// a toy shape and at the recipe's (5 tokens of 40, 256 wide, batch 16), where products
    /// split across the threads and run back to back without a barrier between them.
    func testTeamAndCallerDrivenStepsAgreeExactly() throws {
        Threads.configure(2)
        for architecture in Architecture.allCases {
            for (genes, patch, width, batch) in [(50, 5, 32, 4), (200, 40, 256, 16)] {
                let config = try ModelConfig(architecture: architecture, inputWidth: genes, patchSize: patch,
                                             hiddenSize: width, depth: 2, heads: 4)
                var results: [[Float]] = []
                for asTeam in [false, true] {
                    let network = DiffusionTransformer.random(config, seed: 3)
                    let optimiser = AdamW(parameterCount: network.parameters.layout.trainableCount)
                    let data = ToyBatch(batch: batch, genes: genes, seed: 4)
                    let dOutput = FloatBuffer(count: batch * genes)
                    network.reserve(batch: batch)
                    let step: (Int) -> Void = { _ in
                        let out = network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: batch)
                        MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: out,
                                                  target: data.noise.constPointer,
                                                  count: dOutput.count, normalizer: dOutput.count)
                        network.backward(dOutput: dOutput.constPointer)
                        optimiser.update(parameters: network.parameters.trainable, gradients: network.gradients.trainable)
                    }
                    for _ in 0..<3 { if asTeam { Parallel.team(step) } else { step(0) } }
                    results.append(network.parameters.storage.array)
                }
                XCTAssertEqual(results[0], results[1], "\(architecture) \(genes) genes, \(width) wide")
            }
        }
    }
}
