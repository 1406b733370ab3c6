import Kernels

/// One head of scaled dot-product attention, which both attentions share: the DiT's reads
/// q, k and v from the fused qkv projection, MSSA reads one projection w as all three.
enum AttentionHead {
    /// a [N, N] ← softmax(q kᵀ · scale) and out [N, p] ← a v, for one cell and head; the
    /// rows of q, k and v lie `stride` floats apart, those of `out` `outStride` apart.
    @inline(__always)
    static func forward(out: FloatPointer, outStride: Int, probabilities a: FloatPointer, q: ConstFloatPointer,
                        k: ConstFloatPointer, v: ConstFloatPointer, stride: Int, shape: AttentionShape) {
        let (n, p) = (shape.tokens, shape.headWidth)
        Matmul.gemmOnCurrentThread(.none, .transposed, m: n, n: n, k: p, alpha: shape.scale,
                                   a: q, lda: stride, b: k, ldb: stride, c: a, ldc: n)
        Softmax.forward(a, rows: n, width: n)
        Matmul.gemmOnCurrentThread(.none, .none, m: n, n: p, k: n, a: a, lda: n, b: v, ldb: stride, c: out, ldc: outStride)
    }
}
