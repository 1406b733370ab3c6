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
        let eps = FloatBuffer(count: b * g)
        noiseGenerator.fillNormal(eps.pointer, count: b * g)
        forward(network, data: data, noise: eps.constPointer, cells: 0..<b, of: b, step: fixed)
    }

    /// Each layer's units and heads (`unitReadouts`) on the probe batch of the first `cells`
    /// rows of `data`, run `chunk` cells at a time: the same noise and timesteps as one
    /// batch, in the memory of a chunk's activations (2000 cells of a 50-token network at once
    /// would hold gigabytes).
    public static func unitReadouts(_ network: DiffusionTransformer, data: UnsafePointer<Float>, cells b: Int,
                                    seed: UInt64, step fixed: Int? = nil, chunk: Int = 256) -> [UnitReadout] {
        let g = network.config.inputWidth
        var noiseGenerator = SeededGenerator(seed: seed, stream: 999_999)
        let eps = FloatBuffer(count: b * g)
        noiseGenerator.fillNormal(eps.pointer, count: b * g)
        let parts = stride(from: 0, to: b, by: chunk).map { first in
            forward(network, data: data, noise: eps.constPointer, cells: first..<min(b, first + chunk), of: b, step: fixed)
            return network.unitReadouts()
        }
        return (parts.first ?? []).indices.map { layer in UnitReadout.joining(parts.map { $0[layer] }) }
    }

    /// The forward pass on cells `range` of a probe batch of `b`, each noised with its own
    /// row of `noise` at its own timestep.
    private static func forward(_ network: DiffusionTransformer, data: UnsafePointer<Float>, noise: UnsafePointer<Float>,
                                cells range: Range<Int>, of b: Int, step fixed: Int?) {
        let g = network.config.inputWidth
        let probe = FloatBuffer(count: range.count * g), t = FloatBuffer(count: range.count)
        for (row, i) in range.enumerated() {
            let step = fixed ?? 1 + (b == 1 ? 0 : i * (NoiseSchedule.steps - 2) / (b - 1))
            t[row] = Float(step)
            NoiseSchedule.standard.noise(data + i * g, noise + i * g, at: step, into: probe.pointer + row * g, count: g)
        }
        network.forward(x: probe.constPointer, t: t.constPointer, batch: range.count)
    }
}
