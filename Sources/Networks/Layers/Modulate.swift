import Kernels

/// adaLN's modulate(z, shift, scale) = z · (1 + scale) + shift, with one shift and
/// scale per cell broadcast over its tokens.
///
/// `shift` and `scale` are rows of the adaLN output: row b starts at
/// pointer + b · `conditionStride` (6D for a block, 2D for the final layer).
public enum Modulate {
    /// out [batch, tokens, width] ← z · (1 + scale[b]) + shift[b].
    public static func forward(out: FloatPointer, z: ConstFloatPointer,
                               shift: ConstFloatPointer, scale: ConstFloatPointer, conditionStride: Int,
                               batch: Int, tokens: Int, width: Int) {
        Parallel.forEach(batch * tokens, work: 2 * width) { range in
            for row in range {
                let b = row / tokens
                let sh = shift + b * conditionStride, sc = scale + b * conditionStride
                let zr = z + row * width, o = out + row * width
                for i in 0..<width { o[i] = zr[i] * (1 + sc[i]) + sh[i] }
            }
        }
    }

    /// Writes dz = dout · (1 + scale), dshift[b] = Σ_tokens dout, dscale[b] = Σ_tokens dout · z.
    public static func backward(dz: FloatPointer, dShift: FloatPointer, dScale: FloatPointer,
                                dout: ConstFloatPointer, z: ConstFloatPointer,
                                scale: ConstFloatPointer, conditionStride: Int,
                                batch: Int, tokens: Int, width: Int) {
        Parallel.forEach(batch, work: 4 * tokens * width) { range in
            for b in range {
                let sc = scale + b * conditionStride
                let dsh = dShift + b * conditionStride, dsc = dScale + b * conditionStride
                dsh.update(repeating: 0, count: width)
                dsc.update(repeating: 0, count: width)
                for n in 0..<tokens {
                    let row = b * tokens + n
                    let g = dout + row * width, zr = z + row * width, d = dz + row * width
                    for i in 0..<width {
                        d[i] = g[i] * (1 + sc[i])
                        dsh[i] += g[i]
                        dsc[i] += g[i] * zr[i]
                    }
                }
            }
        }
    }
}

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
