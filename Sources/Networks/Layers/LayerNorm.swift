import Kernels

/// LayerNorm over the last axis without learned scale or shift (eps 1e-6),
/// as every norm in both networks is (`elementwise_affine=False`).
public enum LayerNorm {
    public static let epsilon: Float = 1e-6

    /// out [rows, width] ← (x − mean) · rstd, keeping `rstd` [rows] for the backward pass.
    public static func forward(out: FloatPointer, rstd: FloatPointer,
                               x: ConstFloatPointer, rows: Int, width: Int) {
        let n = Float(width)
        Parallel.forEach(rows, work: 4 * width) { range in
            for r in range {
                let xr = x + r * width, yr = out + r * width
                let mean = VectorMath.sum(xr, count: width) / n
                let variance = VectorMath.squaredDeviation(xr, mean: mean, count: width) / n
                let s = 1 / (variance + epsilon).squareRoot()
                for i in 0..<width { yr[i] = (xr[i] - mean) * s }
                rstd[r] = s
            }
        }
    }

    /// dx [rows, width] += rstd · (dout − mean(dout) − x̂ · mean(dout · x̂)),
    /// where x̂ is the forward output `normalized`.
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer,
                                normalized: ConstFloatPointer, rstd: ConstFloatPointer,
                                rows: Int, width: Int) {
        let n = Float(width)
        Parallel.forEach(rows, work: 5 * width) { range in
            for r in range {
                let g = dout + r * width, xh = normalized + r * width, d = dx + r * width
                let meanG = VectorMath.sum(g, count: width) / n
                let meanGX = VectorMath.dot(g, xh, count: width) / n
                let s = rstd[r]
                for i in 0..<width { d[i] += s * (g[i] - meanG - xh[i] * meanGX) }
            }
        }
    }
}
