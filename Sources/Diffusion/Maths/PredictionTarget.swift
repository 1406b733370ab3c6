import Kernels
import Networks

/// What the network learns to output from x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε. The network is the
/// same either way (parity and checkpoints are untouched); the target changes training,
/// and sampling turns the output back into ε̂.
public enum PredictionTarget: String, Codable, CaseIterable, Sendable {
    /// The noise ε: the reference's objective.
    case epsilon
    /// The velocity v = √ᾱ_t·ε − √(1 − ᾱ_t)·x_0 (Salimans & Ho, 2022), whose scale does not
    /// vanish at either end of the schedule; then ε = √ᾱ_t·v + √(1 − ᾱ_t)·x_t.
    case velocity

    /// What the loss measures, for chart titles: "MSE of the predicted v".
    public var lossLabel: String { self == .epsilon ? "MSE of the predicted noise ε" : "MSE of the predicted v" }

    /// The target for one cell of `count` genes at timestep `t`.
    public func target(x0: ConstFloatPointer, noise: ConstFloatPointer, at t: Int, into out: FloatPointer, count: Int) {
        switch self {
        case .epsilon:
            out.update(from: noise, count: count)
        case .velocity:
            let (a, b) = NoiseSchedule.standard.scales(at: t)
            for i in 0..<count { out[i] = a * noise[i] - b * x0[i] }
        }
    }

    /// The network as a noise predictor: itself for ε, or converting its v̂ to ε̂.
    public func noisePredictor(_ network: NoisePredictor) -> NoisePredictor {
        switch self {
        case .epsilon: return network
        case .velocity: return VelocityAsNoise(network)
        }
    }
}

/// ε̂ = √ᾱ_t·v̂ + √(1 − ᾱ_t)·x_t from a network trained to predict v (its "noise" output is v̂).
public final class VelocityAsNoise: NoisePredictor {
    public let velocity: NoisePredictor
    private var output = FloatBuffer(count: 0)

    public init(_ velocity: NoisePredictor) { self.velocity = velocity }

    public var inputWidth: Int { velocity.inputWidth }

    public func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?,
                             batch: Int) -> ConstFloatPointer {
        let v = velocity.predictNoise(x: x, t: t, labels: labels, batch: batch)
        let g = inputWidth
        if output.count < batch * g { output = FloatBuffer(count: batch * g) }
        for c in 0..<batch {
            let (a, b) = NoiseSchedule.standard.scales(at: Int(t[c]))
            for j in (c * g)..<((c + 1) * g) { output[j] = a * v[j] + b * x[j] }
        }
        return output.constPointer
    }
}

/// Min-SNR-γ loss weighting (Hang et al., 2023): each cell's loss is weighted so that the
/// implied x_0 error counts min(SNR_t, γ), SNR_t = ᾱ_t / (1 − ᾱ_t) — easy, low-noise steps
/// stop dominating. For ε-prediction the weight is min(SNR, γ) / SNR; for v, min(SNR, γ) / (SNR + 1).
public struct MinSNRWeighting: Sendable {
    public let gamma: Double
    public let target: PredictionTarget

    public init(gamma: Double, target: PredictionTarget) {
        self.gamma = gamma
        self.target = target
    }

    public func weight(at t: Int) -> Float {
        let ab = NoiseSchedule.standard.alphaBars[t]
        let snr = ab / (1 - ab)
        return Float(min(snr, gamma) / (target == .epsilon ? snr : snr + 1))
    }
}
