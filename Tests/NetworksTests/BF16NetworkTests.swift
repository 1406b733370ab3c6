import Kernels
import Networks
import TestSupport
import XCTest

/// Both networks with BF16 products (`ProductPrecision.bfloat16`) against themselves in
/// Float32: the prediction and every parameter's gradient agree to bfloat16's precision
/// (8 bits of mantissa, summed in Float32), and do differ.
final class BF16NetworkTests: XCTestCase {
    func testBF16PredictionAndGradientsAgreeWithFloat32ToBfloat16Precision() throws {
        try XCTSkipUnless(ProductPrecision.bfloat16Runs, "this CPU has no AVX-512 BF16")
        Threads.configure(2)
        for config in [
            try ModelConfig(architecture: .whiteBox, inputWidth: 40, patchSize: 4, hiddenSize: 32, depth: 2, heads: 4),
            try ModelConfig(architecture: .dit, inputWidth: 40, patchSize: 4, hiddenSize: 32, depth: 2, heads: 4),
        ] {
            let data = ToyBatch(batch: 4, genes: config.inputWidth, seed: 3)
            func run(_ precision: ProductPrecision) -> (prediction: [Float], gradients: [Float]) {
                let network = DiffusionTransformer.random(config, seed: 8, scale: 0.5)
                let count = data.batch * config.inputWidth
                return ProductPrecision.run(precision) {
                    let out = network.forward(x: data.x.constPointer, t: data.t.constPointer, batch: data.batch)
                    let prediction = Array(UnsafeBufferPointer(start: out, count: count))
                    network.backward(dOutput: data.noise.constPointer)
                    let gradients = network.gradients.trainable
                    return (prediction, Array(UnsafeBufferPointer(start: gradients, count: network.parameters.layout.trainableCount)))
                }
            }
            let float32 = run(.float32), bf16 = run(.bfloat16)
            let predictionError = relativeDifference(bf16.prediction, float32.prediction)
            let gradientError = relativeDifference(bf16.gradients, float32.gradients)
            print("\(config.architecture): BF16 against Float32, prediction \(predictionError), gradients \(gradientError)")
            XCTAssertLessThan(predictionError, 2e-2, "\(config.architecture) prediction")
            XCTAssertLessThan(gradientError, 2e-2, "\(config.architecture) gradients")
            XCTAssertGreaterThan(predictionError, 1e-5, "\(config.architecture): the products ran in BF16")
        }
    }
}
