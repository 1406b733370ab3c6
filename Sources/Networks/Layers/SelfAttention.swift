import Foundation
import Kernels

/// The shape of multi-head attention over a batch of token sequences.
public struct AttentionShape {
    public var batch: Int
    public var tokens: Int
    public var heads: Int
    /// Model width D; each head sees p = D / heads consecutive channels.
    public var width: Int

    public init(batch: Int, tokens: Int, heads: Int, width: Int) {
        self.batch = batch
        self.tokens = tokens
        self.heads = heads
        self.width = width
    }

    public var headWidth: Int { width / heads }
    /// p^−½, the score scale.
    public var scale: Float { 1 / Float(headWidth).squareRoot() }
    /// Floats of one [batch, heads, tokens, tokens] probability tensor.
    public var probabilityCount: Int { batch * heads * tokens * tokens }

    /// Runs `body(b, h)` for every (cell, head) pair, split across cores; each pair's small
    /// products run on its own thread, which parallelises better than splitting each product.
    @inline(__always)
    func forEachHead(_ body: (_ b: Int, _ h: Int) -> Void) {
        let pairs = batch * heads
        Parallel.split(pairs) { range in
            for pair in range { body(pair / heads, pair % heads) }
        }
    }
}

/// Standard multi-head self-attention (the DiT baseline): per head,
/// softmax(q kᵀ · p^−½) v, reading q, k, v as strided views of the fused
/// `attn.qkv` output [rows, 3D] laid out [q | k | v].
public enum SelfAttention {
    /// out [B·N, D] (heads concatenated), probs [B, H, N, N] ← attention over qkv [B·N, 3D].
    public static func forward(out: FloatPointer, probabilities: FloatPointer,
                               qkv: ConstFloatPointer, shape: AttentionShape) {
        let (n, d, p) = (shape.tokens, shape.width, shape.headWidth)
        shape.forEachHead { b, h in
            let q = qkv + b * n * 3 * d + h * p
            AttentionHead.forward(out: out + b * n * d + h * p, outStride: d, probabilities: probabilities + (b * shape.heads + h) * n * n,
                                  q: q, k: q + d, v: q + 2 * d, stride: 3 * d, shape: shape)
        }
    }

    /// Writes dqkv [B·N, 3D] from dout [B·N, D]; `scratch` holds B·H·N·N floats.
    public static func backward(dqkv: FloatPointer, dout: ConstFloatPointer,
                                qkv: ConstFloatPointer, probabilities: ConstFloatPointer,
                                scratch: FloatPointer, shape: AttentionShape) {
        let (n, d, p) = (shape.tokens, shape.width, shape.headWidth)
        shape.forEachHead { b, h in
            let offset = b * n * 3 * d + h * p
            let q = qkv + offset, k = q + d, v = q + 2 * d
            let dq = dqkv + offset, dk = dq + d, dv = dq + 2 * d
            let pair = (b * shape.heads + h) * n * n
            let a = probabilities + pair, ds = scratch + pair
            let dO = dout + b * n * d + h * p
            // dv = Aᵀ · dO;  dA = dO · vᵀ
            Matmul.gemmOnCurrentThread(.transposed, .none, m: n, n: p, k: n, a: a, lda: n, b: dO, ldb: d, c: dv, ldc: 3 * d)
            Matmul.gemmOnCurrentThread(.none, .transposed, m: n, n: n, k: p, a: dO, lda: d, b: v, ldb: 3 * d, c: ds, ldc: n)
            Softmax.backward(ds, probabilities: a, rows: n, width: n)
            // dq = s · dS · k;  dk = s · dSᵀ · q
            Matmul.gemmOnCurrentThread(.none, .none, m: n, n: p, k: n, alpha: shape.scale,
                        a: ds, lda: n, b: k, ldb: 3 * d, c: dq, ldc: 3 * d)
            Matmul.gemmOnCurrentThread(.transposed, .none, m: n, n: p, k: n, alpha: shape.scale,
                        a: ds, lda: n, b: q, ldb: 3 * d, c: dk, ldc: 3 * d)
        }
    }
}
