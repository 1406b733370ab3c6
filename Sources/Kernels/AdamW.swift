import Foundation

/// AdamW hyper-parameters, PyTorch's defaults except where the spec says otherwise.
public struct AdamWSettings: Equatable, Sendable, Codable {
    public var learningRate: Float = 1e-4
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.01

    public init(learningRate: Float = 1e-4, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// AdamW over one flat block of parameters, with PyTorch's semantics and order
/// of operations (`torch.optim.AdamW`, single-tensor path):
///
///     p ← p · (1 − lr·wd)
///     m ← m + (1 − β1)·(g − m)          (lerp, as PyTorch)
///     v ← β2·v + (1 − β2)·g²
///     p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
public final class AdamW {
    public var settings: AdamWSettings
    /// Steps taken so far (t in the formulas; the next step uses t + 1).
    public var step: Int = 0
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer

    public init(parameterCount: Int, settings: AdamWSettings = AdamWSettings()) {
        self.settings = settings
        firstMoment = FloatBuffer(count: parameterCount)
        secondMoment = FloatBuffer(count: parameterCount)
    }

    /// Applies one update to `parameters` from `gradients` (both `firstMoment.count` long).
    public func update(parameters: FloatPointer, gradients: ConstFloatPointer) {
        step += 1
        let s = settings
        let t = Double(step)
        let biasCorrection1 = 1 - pow(Double(s.beta1), t)
        let biasCorrection2Sqrt = (1 - pow(Double(s.beta2), t)).squareRoot()
        let stepSize = Float(Double(s.learningRate) / biasCorrection1)
        let correction2 = Float(biasCorrection2Sqrt)
        let decay = Float(1 - Double(s.learningRate) * Double(s.weightDecay))
        let m = firstMoment.pointer, v = secondMoment.pointer
        let (b1, b2, eps) = (s.beta1, s.beta2, s.epsilon)
        Parallel.forEach(firstMoment.count, work: 8) { range in
            for i in range {
                let g = gradients[i]
                let p = parameters[i] * decay
                let mi = m[i] + (1 - b1) * (g - m[i])
                let vi = v[i] * b2 + (1 - b2) * g * g
                m[i] = mi
                v[i] = vi
                parameters[i] = p - stepSize * mi / (vi.squareRoot() / correction2 + eps)
            }
        }
    }
}
