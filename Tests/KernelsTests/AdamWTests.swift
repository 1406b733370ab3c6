import Kernels
import XCTest

final class AdamWTests: XCTestCase {
    /// Two steps on two parameters, against the formulas worked by hand in Double.
    func testTwoStepsMatchHandComputation() {
        let settings = AdamWSettings(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        let optimiser = AdamW(parameterCount: 2, settings: settings)
        let p = FloatBuffer([1.0, -2.0])
        let gradients: [[Float]] = [[0.5, -0.25], [0.1, 0.3]]

        var expected: [Double] = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, g) in gradients.enumerated() {
            let step = Double(t + 1)
            for i in 0..<2 {
                expected[i] *= 1 - 0.1 * 0.01
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, step)), vHat = v[i] / (1 - pow(0.999, step))
                expected[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
            g.withUnsafeBufferPointer { optimiser.update(parameters: p.pointer, gradients: $0.baseAddress!) }
        }
        XCTAssertEqual(optimiser.step, 2)
        for i in 0..<2 { XCTAssertEqual(Double(p[i]), expected[i], accuracy: 1e-6) }
        // The first step of Adam moves each parameter by about lr, whatever the gradient's size.
        XCTAssertNotEqual(p[0], 1.0)
    }
}
