import Foundation
import Kernels

/// The reference initialisation and the fixed 2-D sin-cos position embedding.
public enum Initialisation {
    /// Fills `parameters` as the reference does: Xavier-uniform Linear weights (the patch
    /// embedding over its [D, P] view), zero biases, N(0, 0.02) timestep-MLP weights,
    /// Kaiming-uniform ISTA dictionaries, and zero adaLN and final Linears — so a new
    /// network outputs exactly 0. The label table is N(0, 0.02) as in DiT.
    public static func reset(_ parameters: ParameterSet, config: ModelConfig, generator: inout SeededGenerator) {
        for entry in parameters.layout.entries {
            let out = parameters.storage.pointer + entry.offset
            let name = entry.name
            out.update(repeating: 0, count: entry.count)
            if name == "pos_embed" {
                PositionEmbedding.fill(out, tokens: config.tokens, width: config.hiddenSize)
            } else if name.hasSuffix(".bias") || name.contains("adaLN_modulation") || name.hasPrefix("final_layer.linear") {
                continue
            } else if name.hasPrefix("t_embedder") || name.hasPrefix("y_embedder") {
                generator.fillNormal(out, count: entry.count, std: 0.02)
            } else if name.hasSuffix("mlp.weight") {
                // ISTA dictionary: kaiming_uniform_ (a = 0): bound = √(6 / fan_in)
                generator.fillUniform(out, count: entry.count, bound: (6 / Float(entry.shape[1])).squareRoot())
            } else {
                let fanOut = entry.shape[0], fanIn = entry.count / fanOut
                generator.fillUniform(out, count: entry.count, bound: (6 / Float(fanIn + fanOut)).squareRoot())
            }
        }
    }
}

/// The fixed position embedding `pos_embed` [N, D] of the reference's 2-D sin-cos
/// construction on a 1 × N grid: the first D/2 channels encode the constant
/// coordinate 0 (sin 0 = 0, then cos 0 = 1), the last D/2 encode the position n.
public enum PositionEmbedding {
    public static func fill(_ out: FloatPointer, tokens: Int, width d: Int) {
        let quarter = d / 4
        for n in 0..<tokens {
            let row = out + n * d
            for k in 0..<quarter {
                // numpy computes ω in float64: 1 / 10000^(k / (D/4))
                let omega = 1 / pow(10000.0, Double(k) / Double(quarter))
                let angle = Double(n) * omega
                row[k] = 0
                row[quarter + k] = 1
                row[2 * quarter + k] = Float(sin(angle))
                row[3 * quarter + k] = Float(cos(angle))
            }
        }
    }
}
