import Foundation
import Kernels

/// The sinusoidal frequency embedding of diffusion timesteps (before `t_embedder.mlp`):
/// e(t) = [cos(t·f_0 … t·f_127), sin(t·f_0 … t·f_127)], f_k = exp(−ln(10000)·k/128).
/// Computed in Float32 in the same order as the reference, so it matches bit for bit
/// up to the last ulp of the library's sin and cos.
public enum TimestepEmbedding {
    public static let frequencyCount = 256
    static let half = frequencyCount / 2

    /// The frequencies f_k, k = 0…127.
    public static let frequencies: [Float] = (0..<half).map { k in
        expf(Float(-log(10000.0)) * Float(k) / Float(half))
    }

    /// out [batch, 256] ← e(t) for timesteps `t` [batch].
    public static func forward(out: FloatPointer, t: ConstFloatPointer, batch: Int) {
        frequencies.withUnsafeBufferPointer { f in
            for b in 0..<batch {
                let row = out + b * frequencyCount
                for k in 0..<half {
                    let argument = t[b] * f[k]
                    row[k] = cosf(argument)
                    row[half + k] = sinf(argument)
                }
            }
        }
    }
}

/// The class-label table of a conditional model (`y_embedder.embedding_table`):
/// row `label` of a [classes + 1, D] table; the last row is "no label".
public enum LabelEmbedding {
    /// c [batch, D] += table[labels[b]].
    public static func forward(c: FloatPointer, labels: UnsafePointer<Int32>, table: ConstFloatPointer,
                               batch: Int, width: Int) {
        for b in 0..<batch {
            let row = table + Int(labels[b]) * width, out = c + b * width
            for i in 0..<width { out[i] += row[i] }
        }
    }

    /// Writes dTable [rows, D]: zero, then row labels[b] += dc[b] (a label may repeat).
    public static func backward(dTable: FloatPointer, dc: ConstFloatPointer, labels: UnsafePointer<Int32>,
                                batch: Int, rows: Int, width: Int) {
        dTable.update(repeating: 0, count: rows * width)
        for b in 0..<batch {
            let row = dTable + Int(labels[b]) * width, g = dc + b * width
            for i in 0..<width { row[i] += g[i] }
        }
    }
}
