import Kernels

/// MSSA, multi-head subspace self-attention (CRATE): one projection w = z Uᵀ serves
/// as query, key and value; per head, out = softmax(w wᵀ · p^−½) w.
/// The projection and the output Linear are separate `Linear` layers.
public enum SubspaceAttention {
    /// out [B·N, D], probs [B, H, N, N] ← attention of w [B·N, D] with itself.
    public static func forward(out: FloatPointer, probabilities: FloatPointer,
                               w: ConstFloatPointer, shape: AttentionShape) {
        let (n, d, p) = (shape.tokens, shape.width, shape.headWidth)
        shape.forEachHead { b, h in
            let wh = w + b * n * d + h * p
            AttentionHead.forward(out: out + b * n * d + h * p, outStride: d, probabilities: probabilities + (b * shape.heads + h) * n * n,
                                  q: wh, k: wh, v: wh, stride: d, shape: shape)
        }
    }

    /// Writes dw [B·N, D] from dout [B·N, D]. Because w is query, key and value at once,
    /// dw = Aᵀ·dO + s·(dS + dSᵀ)·w. `scratch` holds B·H·N·N floats.
    public static func backward(dw: FloatPointer, dout: ConstFloatPointer,
                                w: ConstFloatPointer, probabilities: ConstFloatPointer,
                                scratch: FloatPointer, shape: AttentionShape) {
        let (n, d, p) = (shape.tokens, shape.width, shape.headWidth)
        shape.forEachHead { b, h in
            let offset = b * n * d + h * p
            let wh = w + offset, dwh = dw + offset, dO = dout + offset
            let pair = (b * shape.heads + h) * n * n
            let a = probabilities + pair, ds = scratch + pair
            // value path: dw = Aᵀ · dO;  dA = dO · wᵀ
            Matmul.gemmOnCurrentThread(.transposed, .none, m: n, n: p, k: n, a: a, lda: n, b: dO, ldb: d, c: dwh, ldc: d)
            Matmul.gemmOnCurrentThread(.none, .transposed, m: n, n: n, k: p, a: dO, lda: d, b: wh, ldb: d, c: ds, ldc: n)
            Softmax.backward(ds, probabilities: a, rows: n, width: n)
            // query and key paths together: dS + dSᵀ, then dw += s · (dS + dSᵀ) · w
            for i in 0..<n {
                ds[i * n + i] *= 2
                for j in (i + 1)..<max(n, i + 1) {
                    let sum = ds[i * n + j] + ds[j * n + i]
                    ds[i * n + j] = sum
                    ds[j * n + i] = sum
                }
            }
            Matmul.gemmOnCurrentThread(.none, .none, m: n, n: p, k: n, alpha: shape.scale,
                        a: ds, lda: n, b: wh, ldb: d, beta: 1, c: dwh, ldc: d)
        }
    }
}
