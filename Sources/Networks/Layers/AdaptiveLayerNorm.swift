import Kernels

/// adaLN's normalise-then-modulate, fused: LayerNorm over D without affine (eps 1e-6),
/// then z·(1 + scale) + shift with one shift and scale per cell, broadcast over its tokens.
///
///     out = ((x − mean) · rstd) · (1 + scale[b]) + shift[b]
///
/// `shift` and `scale` are rows of an adaLN output: row b starts at pointer + b ·
/// `conditionStride` (6D in a block, 2D in the final layer). The forward pass keeps only
/// each row's mean and rstd; the backward pass recomputes x̂ from x, so no normalised
/// copy of the activations is stored.
public enum AdaptiveLayerNorm {
    public static let epsilon: Float = 1e-6

    /// out [batch·tokens, width] ← the modulated LayerNorm of x; keeps mean and rstd [batch·tokens].
    public static func forward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, x: ConstFloatPointer,
                               shift: ConstFloatPointer, scale: ConstFloatPointer, conditionStride: Int,
                               batch: Int, tokens: Int, width: Int) {
        let n = Float(width)
        Parallel.forEach(batch * tokens, work: 6 * width) { rows in
            for r in rows {
                let xr = x + r * width, o = out + r * width
                let sh = shift + (r / tokens) * conditionStride, sc = scale + (r / tokens) * conditionStride
                let m = VectorMath.sum(xr, count: width) / n
                let s = 1 / (VectorMath.squaredDeviation(xr, mean: m, count: width) / n + epsilon).squareRoot()
                mean[r] = m
                rstd[r] = s
                for i in 0..<width { o[i] = ((xr[i] - m) * s) * (1 + sc[i]) + sh[i] }
            }
        }
    }

    /// Adds the input gradient into dx [batch·tokens, width] and writes dshift[b] = Σ_tokens dout
    /// and dscale[b] = Σ_tokens dout · x̂. With dz = dout · (1 + scale):
    /// dx += rstd · (dz − mean(dz) − x̂ · mean(dz · x̂)).
    public static func backward(dx: FloatPointer, dShift: FloatPointer, dScale: FloatPointer,
                                dout: ConstFloatPointer, x: ConstFloatPointer,
                                mean: ConstFloatPointer, rstd: ConstFloatPointer,
                                scale: ConstFloatPointer, conditionStride: Int,
                                batch: Int, tokens: Int, width: Int) {
        typealias Vector = VectorMath.Vector
        let n = Float(width), w = VectorMath.width, whole = width / w * w
        Parallel.forEach(batch, work: 10 * tokens * width) { cells in
            for b in cells {
                let sc = scale + b * conditionStride
                let dsh = dShift + b * conditionStride, dsc = dScale + b * conditionStride
                dsh.update(repeating: 0, count: width)
                dsc.update(repeating: 0, count: width)
                for token in 0..<tokens {
                    let r = b * tokens + token
                    let (g, xr, d) = (dout + r * width, x + r * width, dx + r * width)
                    let (m, s) = (mean[r], rstd[r])
                    // Pass 1: the shift and scale gradients, and Σ dz and Σ dz·x̂ (16 lanes, then the tail).
                    var sumDz = Vector(), sumDzX = Vector()
                    var i = 0
                    while i < whole {
                        let gv = VectorMath.load(g + i)
                        let xh = (VectorMath.load(xr + i) - m) * s
                        let dz = gv * (1 + VectorMath.load(sc + i))
                        VectorMath.store(VectorMath.load(dsh + i) + gv, dsh + i)
                        VectorMath.store(VectorMath.load(dsc + i) + gv * xh, dsc + i)
                        sumDz += dz
                        sumDzX += dz * xh
                        i += w
                    }
                    var totalDz = sumDz.sum(), totalDzX = sumDzX.sum()
                    for j in whole..<width {
                        let xh = (xr[j] - m) * s, dz = g[j] * (1 + sc[j])
                        dsh[j] += g[j]
                        dsc[j] += g[j] * xh
                        totalDz += dz
                        totalDzX += dz * xh
                    }
                    // Pass 2: the input gradient (16 lanes, then the tail; the same operations).
                    let meanDz = totalDz / n, meanDzX = totalDzX / n
                    i = 0
                    while i < whole {
                        let xh = (VectorMath.load(xr + i) - m) * s
                        let dz = VectorMath.load(g + i) * (1 + VectorMath.load(sc + i))
                        VectorMath.store(VectorMath.load(d + i) + s * (dz - meanDz - xh * meanDzX), d + i)
                        i += w
                    }
                    for j in whole..<width {
                        let xh = (xr[j] - m) * s
                        d[j] += s * (g[j] * (1 + sc[j]) - meanDz - xh * meanDzX)
                    }
                }
            }
        }
    }
}
