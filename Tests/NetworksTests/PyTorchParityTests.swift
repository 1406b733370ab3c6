import Foundation
import Kernels
import Networks
import TestSupport
import XCTest

/// Both networks against the PyTorch oracle (`benchmarks/pytorch/make_fixtures.py`):
/// outputs within 1e-5 and gradients within 1e-4, relative to each tensor's largest
/// magnitude, on committed fixtures with random values in every tensor.
final class PyTorchParityTests: XCTestCase {
    static let configurations = [
        "wbdit-g24-p4-d16-h2-l2", "dit-g24-p4-d16-h2-l2",
        "wbdit-g22-p4-d16-h2-l2", "dit-g22-p4-d16-h2-l2",          // G % P ≠ 0: our zero padding
        "wbdit-g20-p5-d8-h1-l1",                                  // one head: no to_out
        "wbdit-g30-p3-d32-h4-l3",
        "dit-g24-p4-d16-h2-l2-c3", "wbdit-g24-p4-d16-h2-l2-c3",    // class-conditional
    ]

    override func setUp() { Threads.configure(2) }

    func testOutputsLossAndGradientsMatchPyTorch() throws {
        for name in Self.configurations {
            let network = try Checkpoint.load(Fixture.path("\(name).safetensors"))
            let reference = try SafeTensorsFile(contentsOf: Fixture.path("\(name).case.safetensors"))
            let x = try reference.floats("x"), t = try reference.floats("t"), noise = try reference.floats("noise")
            let labels = reference.info("labels") == nil ? nil : try reference.floats("labels").map { Int32($0) }
            let batch = t.count, count = x.count

            let output: [Float] = x.withUnsafeBufferPointer { xs in
                t.withUnsafeBufferPointer { ts in
                    let out: ConstFloatPointer
                    if let labels {
                        out = labels.withUnsafeBufferPointer {
                            network.forward(x: xs.baseAddress!, t: ts.baseAddress!, labels: $0.baseAddress!, batch: batch)
                        }
                    } else {
                        out = network.forward(x: xs.baseAddress!, t: ts.baseAddress!, batch: batch)
                    }
                    return Array(UnsafeBufferPointer(start: out, count: count))
                }
            }
            XCTAssertLessThanOrEqual(relativeDifference(output, try reference.floats("output")), 1e-5, "\(name) output")

            let loss = MeanSquaredError.forward(prediction: output, target: noise, count: count)
            XCTAssertEqual(loss, Double(try reference.floats("loss")[0]), accuracy: 1e-5 * loss, "\(name) loss")

            let dOutput = FloatBuffer(count: count)
            MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: output, target: noise,
                                      count: count, normalizer: count)
            network.backward(dOutput: dOutput.constPointer)
            var worst = (name: "", difference: Float(0))
            for entry in network.parameters.layout.entries where entry.trainable {
                let difference = relativeDifference(network.gradients.values(entry.name),
                                                    try reference.floats("grad.\(entry.name)"))
                if difference > worst.difference { worst = (entry.name, difference) }
                XCTAssertLessThanOrEqual(difference, 1e-4, "\(name) gradient of \(entry.name)")
            }
            print("\(name): output and \(network.parameters.layout.entries.count - 1) gradients match; worst gradient \(worst.name) at \(worst.difference)")
        }
    }

    /// One AdamW step from the oracle's gradients lands where torch.optim.AdamW does.
    func testAdamWStepMatchesPyTorch() throws {
        let name = "wbdit-g24-p4-d16-h2-l2"
        let network = try Checkpoint.load(Fixture.path("\(name).safetensors"))
        let reference = try SafeTensorsFile(contentsOf: Fixture.path("\(name).case.safetensors"))
        for entry in network.parameters.layout.entries where entry.trainable {
            try reference.copyFloat32("grad.\(entry.name)", into: network.gradients.storage.pointer + entry.offset)
        }
        let optimiser = AdamW(parameterCount: network.parameters.layout.trainableCount)
        optimiser.update(parameters: network.parameters.trainable, gradients: network.gradients.trainable)
        for entry in network.parameters.layout.entries where entry.trainable {
            XCTAssertLessThanOrEqual(relativeDifference(network.parameters.values(entry.name),
                                                        try reference.floats("adamw.\(entry.name)")), 1e-6, entry.name)
        }
    }
}

/// Committed test files.
enum Fixture {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }
}
