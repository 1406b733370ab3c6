import Kernels

/// The gated residual update of a block: x + gate[b] · f, gate broadcast over tokens.
public enum GatedResidual {
    /// out [batch, tokens, width] ← x + gate[b] · f; `gate` row b starts at gate + b · conditionStride.
    public static func forward(out: FloatPointer, x: ConstFloatPointer, f: ConstFloatPointer,
                               gate: ConstFloatPointer, conditionStride: Int,
                               batch: Int, tokens: Int, width: Int) {
        Parallel.forEach(batch * tokens, work: 2 * width) { range in
            for row in range {
                let g = gate + (row / tokens) * conditionStride
                let o = out + row * width, xr = x + row * width, fr = f + row * width
                for i in 0..<width { o[i] = xr[i] + g[i] * fr[i] }
            }
        }
    }

    /// Writes df = dx · gate[b] and dgate[b] = Σ_tokens dx · f. (dx itself flows on unchanged.)
    public static func backward(df: FloatPointer, dGate: FloatPointer,
                                dx: ConstFloatPointer, f: ConstFloatPointer,
                                gate: ConstFloatPointer, conditionStride: Int,
                                batch: Int, tokens: Int, width: Int) {
        Parallel.forEach(batch, work: 3 * tokens * width) { range in
            for b in range {
                let g = gate + b * conditionStride, dg = dGate + b * conditionStride
                dg.update(repeating: 0, count: width)
                for n in 0..<tokens {
                    let row = b * tokens + n
                    let d = dx + row * width, fr = f + row * width, o = df + row * width
                    for i in 0..<width {
                        o[i] = d[i] * g[i]
                        dg[i] += d[i] * fr[i]
                    }
                }
            }
        }
    }
}
