import Kernels
import Networks

/// The fixed batch on which layers are measured: the first B cells, noised with a fixed
/// noise at timesteps spread evenly over 1…999 (or all at one `step`), so that readouts
/// taken at different moments (or of different checkpoints) see the same inputs.
public enum ProbeBatch {
    /// Each layer's coding rate and sparsity on the first `cells` rows of `data` [_, G].
    public static func readouts(_ network: DiffusionTransformer, data: UnsafePointer<Float>, cells b: Int,
                                seed: UInt64, step fixed: Int? = nil) -> [LayerReadout] {
        forward(network, data: data, cells: b, seed: seed, step: fixed)
        return network.readouts()
    }

    /// Runs `network` (one that keeps its activations) on the probe batch of the first
    /// `cells` rows of `data` [_, G]: what `readouts` and `unitReadouts` then measure.
    public static func forward(_ network: DiffusionTransformer, data: UnsafePointer<Float>, cells b: Int,
                               seed: UInt64, step fixed: Int? = nil) {
        let g = network.config.inputWidth
        var noiseGenerator = SeededGenerator(seed: seed, stream: 999_999)
        let probe = FloatBuffer(count: b * g), eps = FloatBuffer(count: b * g), t = FloatBuffer(count: b)
        noiseGenerator.fillNormal(eps.pointer, count: b * g)
        for i in 0..<b {
            let step = fixed ?? 1 + (b == 1 ? 0 : i * (NoiseSchedule.steps - 2) / (b - 1))
            t[i] = Float(step)
            NoiseSchedule.standard.noise(data + i * g, eps.pointer + i * g, at: step, into: probe.pointer + i * g, count: g)
        }
        network.forward(x: probe.constPointer, t: t.constPointer, batch: b)
    }
}
