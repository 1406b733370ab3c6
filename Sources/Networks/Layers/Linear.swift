import Kernels

/// PyTorch's `nn.Linear`: y = x · Wᵀ + b with W stored [out, in].
public enum Linear {
    /// y [rows, outFeatures] ← x [rows, inFeatures] · Wᵀ + b.
    /// - Parameters:
    ///   - weight: W [outFeatures, inFeatures].
    ///   - bias: b [outFeatures], or nil for a layer without bias.
    public static func forward(y: FloatPointer, x: ConstFloatPointer,
                               weight: ConstFloatPointer, bias: ConstFloatPointer?,
                               rows: Int, inFeatures: Int, outFeatures: Int) {
        if let bias {
            Parallel.forEach(rows, work: outFeatures) { range in
                for r in range { (y + r * outFeatures).update(from: bias, count: outFeatures) }
            }
        }
        Matmul.gemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures,
                    a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                    beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
    }

    /// Writes dW [out, in] = dyᵀ · x and db [out] = Σ_rows dy; writes dx [rows, in] = dy · W,
    /// or adds it when `accumulateInput` (several consumers of one input).
    /// Pass `dx: nil` when the input needs no gradient.
    public static func backward(dx: FloatPointer?, dWeight: FloatPointer, dBias: FloatPointer?,
                                dy: ConstFloatPointer, x: ConstFloatPointer, weight: ConstFloatPointer,
                                rows: Int, inFeatures: Int, outFeatures: Int,
                                accumulateInput: Bool = false) {
        Matmul.gemm(.transposed, .none, m: outFeatures, n: inFeatures, k: rows,
                    a: dy, lda: outFeatures, b: x, ldb: inFeatures,
                    c: dWeight, ldc: inFeatures)
        if let dBias { ColumnSum.write(dBias, dy, rows: rows, columns: outFeatures) }
        if let dx {
            Matmul.gemm(.none, .none, m: rows, n: inFeatures, k: outFeatures,
                        a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                        beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures)
        }
    }
}

/// Column sums of a row-major matrix, split across cores by column ranges.
public enum ColumnSum {
    /// out[j] = Σ_r m[r, j] for a matrix with `columns` columns and row stride `stride`.
    public static func write(_ out: FloatPointer, _ m: ConstFloatPointer,
                             rows: Int, columns: Int, stride: Int? = nil) {
        let ld = stride ?? columns
        Parallel.forEach(columns, work: rows) { range in
            let width = range.count
            let o = out + range.lowerBound
            o.update(repeating: 0, count: width)
            for r in 0..<rows {
                let row = m + r * ld + range.lowerBound
                for j in 0..<width { o[j] += row[j] }
            }
        }
    }
}
