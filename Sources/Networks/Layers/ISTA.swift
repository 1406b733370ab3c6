import Kernels

/// One step of non-negative ISTA sparse coding against the dictionary W [D, D]
/// (the white-box block's feed-forward layer):
///
///     ISTA(z) = ReLU(z + η·(z W − (z Wᵀ) W) − η·λ)
///
/// computed as ReLU(z + η·u W − η·λ) with u = z − z Wᵀ: two products instead of three.
public enum ISTA {
    public static let stepSize: Float = 0.1     // η
    public static let threshold: Float = 0.1    // λ

    /// out [rows, D] ← ISTA(z); keeps `residual` u = z − z Wᵀ [rows, D] for the backward pass.
    public static func forward(out: FloatPointer, residual u: FloatPointer,
                               z: ConstFloatPointer, dictionary w: ConstFloatPointer,
                               rows: Int, width d: Int) {
        // u = z − z Wᵀ: each thread copies its band of z into u, then subtracts its product.
        Matmul.gemm(.none, .transposed, m: rows, n: d, k: d, alpha: -1,
                    a: z, lda: d, b: w, ldb: d, beta: 1, c: u, ldc: d,
                    prepare: { band in
                        band.forEachRowSpan(ldc: d) { span in
                            (u + span.lowerBound).update(from: z + span.lowerBound, count: span.count)
                        }
                    })
        // out = ReLU(z + η · u W − η λ), the ReLU on each band as its product ends.
        let bias = stepSize * threshold
        Matmul.gemm(.none, .none, m: rows, n: d, k: d, alpha: stepSize,
                    a: u, lda: d, b: w, ldb: d, c: out, ldc: d,
                    finish: { band in
                        band.forEachRowSpan(ldc: d) { span in
                            VectorMath.map(span, z, out, into: out) { zv, product in
                                let s = zv + product - bias
                                return VectorMath.Vector().replacing(with: s, where: s .> 0)
                            }
                        }
                    })
    }

    /// Writes dz [rows, D] and dW [D, D] from dout. `preactivation` and `du` are
    /// [rows, D] scratch buffers.
    ///
    /// With g = dout · [out > 0]:  dW = η·uᵀ g − (η g Wᵀ)ᵀ z,  dz = g + η g Wᵀ − (η g Wᵀ) W.
    public static func backward(dz: FloatPointer, dDictionary dw: FloatPointer,
                                dout: ConstFloatPointer, out: ConstFloatPointer,
                                residual u: ConstFloatPointer, z: ConstFloatPointer,
                                dictionary w: ConstFloatPointer,
                                preactivation g: FloatPointer, du: FloatPointer,
                                rows: Int, width d: Int) {
        let count = rows * d
        Parallel.forEach(count, work: 2) { range in
            VectorMath.map(range, out, dout, into: g) { o, gradient in
                VectorMath.Vector().replacing(with: gradient, where: o .> 0)
            }
        }
        // dv = η g.  dW = uᵀ dv;  du = dv Wᵀ (independent: the team meets once, after both)
        Matmul.gemm(.transposed, .none, m: d, n: d, k: rows, alpha: stepSize,
                    a: u, lda: d, b: g, ldb: d, c: dw, ldc: d, then: .nowait)
        Matmul.gemm(.none, .transposed, m: rows, n: d, k: d, alpha: stepSize,
                    a: g, lda: d, b: w, ldb: d, c: du, ldc: d)
        // u = z − a with a = z Wᵀ:  dz = g + du − du W (each band starting from g + du);  dW −= duᵀ z
        Matmul.gemm(.none, .none, m: rows, n: d, k: d, alpha: -1,
                    a: du, lda: d, b: w, ldb: d, beta: 1, c: dz, ldc: d, then: .nowait,
                    prepare: { band in
                        band.forEachRowSpan(ldc: d) { span in
                            VectorMath.map(span, g, du, into: dz) { $0 + $1 }
                        }
                    })
        Matmul.gemm(.transposed, .none, m: d, n: d, k: rows, alpha: -1,
                    a: du, lda: d, b: z, ldb: d, beta: 1, c: dw, ldc: d, then: .nowait)
        Parallel.barrier()
    }
}
