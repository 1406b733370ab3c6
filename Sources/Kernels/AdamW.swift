import CKernels
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

    /// Applies one update to `parameters` from `gradients` · `gradientScale` (both
    /// `firstMoment.count` long; the scale is gradient clipping's, applied in passing).
    public func update(parameters: FloatPointer, gradients: ConstFloatPointer, gradientScale: Float = 1) {
        Parallel.single { step += 1 }
        let s = settings
        let t = Double(step)
        let biasCorrection1 = 1 - pow(Double(s.beta1), t)
        let biasCorrection2Sqrt = (1 - pow(Double(s.beta2), t)).squareRoot()
        let stepSize = Float(Double(s.learningRate) / biasCorrection1)
        let correction2 = Float(biasCorrection2Sqrt)
        let decay = Float(1 - Double(s.learningRate) * Double(s.weightDecay))
        let m = firstMoment.pointer, v = secondMoment.pointer
        if KernelChoice.usesAVX512 {
            // AVX-512: the same arithmetic with a vector square root, in blocks of 16 per core.
            let count = firstMoment.count
            Parallel.forEach((count + 15) / 16, work: 128) { blocks in
                wbdit_adamw(parameters, gradients, m, v, blocks.lowerBound * 16, min(count, blocks.upperBound * 16),
                            gradientScale, s.beta1, s.beta2, decay, stepSize, correction2, s.epsilon)
            }
            return
        }
        typealias Vector = VectorMath.Vector
        let w = VectorMath.width
        // Whole vectors across cores, then the few leftover elements: the same arithmetic in both.
        Parallel.forEach(firstMoment.count / w, work: 8 * w) { blocks in
            let b2 = Vector(repeating: s.beta2)
            let oneMinusB1 = Vector(repeating: 1 - s.beta1), oneMinusB2 = Vector(repeating: 1 - s.beta2)
            for block in blocks {
                let i = block * w
                let g = VectorMath.load(gradients + i) * gradientScale
                let mi = VectorMath.load(m + i), vi = VectorMath.load(v + i)
                let newM = mi + oneMinusB1 * (g - mi)
                let newV = vi * b2 + oneMinusB2 * g * g
                let p = VectorMath.load(parameters + i) * decay
                VectorMath.store(newM, m + i)
                VectorMath.store(newV, v + i)
                VectorMath.store(p - stepSize * newM / (newV.squareRoot() / correction2 + s.epsilon), parameters + i)
            }
        }
        Parallel.single {
            for i in (firstMoment.count / w * w)..<firstMoment.count {
                let g = gradients[i] * gradientScale
                m[i] += (1 - s.beta1) * (g - m[i])
                v[i] = v[i] * s.beta2 + (1 - s.beta2) * g * g
                parameters[i] = parameters[i] * decay - stepSize * m[i] / (v[i].squareRoot() / correction2 + s.epsilon)
            }
        }
    }
}
