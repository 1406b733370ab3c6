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

/// The label table of a conditional model (`y_embedder.embedding_table`): for each label
/// attribute its classes' rows and then its "no label" row, stacked; a cell's conditioning
/// gains the sum of its attributes' rows.
public enum LabelEmbedding {
    /// c [batch, D] += Σ_a table[rows[b·A + a]], A = `attributes`.
    public static func forward(c: FloatPointer, rows: UnsafePointer<Int32>, attributes: Int, table: ConstFloatPointer,
                               batch: Int, width: Int) {
        for b in 0..<batch {
            let out = c + b * width
            for a in 0..<attributes {
                let row = table + Int(rows[b * attributes + a]) * width
                for i in 0..<width { out[i] += row[i] }
            }
        }
    }

    /// Writes dTable [tableRows, D]: zero, then each row a cell read += that cell's dc (a row
    /// may repeat).
    public static func backward(dTable: FloatPointer, dc: ConstFloatPointer, rows: UnsafePointer<Int32>, attributes: Int,
                                batch: Int, tableRows: Int, width: Int) {
        dTable.update(repeating: 0, count: tableRows * width)
        for b in 0..<batch {
            let g = dc + b * width
            for a in 0..<attributes {
                let row = dTable + Int(rows[b * attributes + a]) * width
                for i in 0..<width { row[i] += g[i] }
            }
        }
    }
}
