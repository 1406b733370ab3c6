import Kernels
import Networks
import TestSupport
import XCTest

/// Finite-difference checks of the whole network's backward pass: the MSE loss against
/// noise, differentiated w.r.t. a sample of every trainable tensor.
final class NetworkGradientTests: XCTestCase {
    override func setUp() { Threads.configure(2) }

    func testWhiteBox() throws {
        try check(ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 8, depth: 2, heads: 2))
    }

    func testWhiteBoxWithPaddingAndOneHead() throws {
        try check(ModelConfig(architecture: .whiteBox, inputWidth: 10, patchSize: 3, hiddenSize: 8, depth: 1, heads: 1))
    }

    func testDiT() throws {
        try check(ModelConfig(architecture: .dit, inputWidth: 12, patchSize: 3, hiddenSize: 8, depth: 2, heads: 2))
    }

    func testConditionalDiTWithPadding() throws {
        try check(ModelConfig(architecture: .dit, inputWidth: 11, patchSize: 4, hiddenSize: 8, depth: 1, heads: 2,
                              mlpRatio: 2, labelClasses: [3]), labels: [0, 3, 2])
    }

    /// Two label attributes, each with its own rows of the table and its own "no label".
    func testWhiteBoxWithTwoLabelAttributes() throws {
        try check(ModelConfig(architecture: .whiteBox, inputWidth: 12, patchSize: 3, hiddenSize: 8, depth: 1, heads: 2,
                              labelClasses: [3, 2]), labels: [0, 1, 3, 0, 2, 2])
    }

    private func check(_ config: ModelConfig, labels: [Int32]? = nil) {
        let network = DiffusionTransformer.random(config, seed: 7)
        let data = ToyBatch(batch: 3, genes: config.inputWidth, seed: 9)
        let count = data.batch * config.inputWidth
        let dOutput = FloatBuffer(count: count)
        let loss = { () -> Double in
            let out = Self.forward(network, data, labels)
            return MeanSquaredError.forward(prediction: out, target: data.noise.constPointer, count: count)
        }
        let out = Self.forward(network, data, labels)
        MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: out, target: data.noise.constPointer,
                                  count: count, normalizer: count)
        network.backward(dOutput: dOutput.constPointer)

        let gradientCheck = GradientCheck(step: 1e-3, tolerance: 2e-2)
        for entry in network.parameters.layout.entries where entry.trainable {
            let analytic = network.gradients.values(entry.name)
            let scale = analytic.map(abs).max()!
            XCTAssertGreaterThan(scale, 0, "\(entry.name): zero gradient")
            let result = gradientCheck.compare(values: network.parameters.pointer(entry.name), analytic: analytic,
                                               indices: GradientCheck.sample(entry.count, limit: 6), loss: loss)
            XCTAssertLessThanOrEqual(result.worst / scale, gradientCheck.tolerance, "\(entry.name): \(result)")
        }
        XCTAssertTrue(network.gradients.values("pos_embed").allSatisfy { $0 == 0 }, "pos_embed is fixed")
    }

    private static func forward(_ network: DiffusionTransformer, _ data: ToyBatch, _ labels: [Int32]?) -> ConstFloatPointer {
        guard let labels else { return network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: data.batch) }
        return labels.withUnsafeBufferPointer {
            network.forward(x: data.x.constPointer, t: data.t.constPointer, labels: $0.baseAddress!, batch: data.batch)
        }
    }
}
