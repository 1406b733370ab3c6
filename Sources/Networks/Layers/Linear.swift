import Kernels

/// PyTorch's `nn.Linear`: y = x · Wᵀ + b with W stored [out, in].
public enum Linear {
    /// y [rows, outFeatures] ← x [rows, inFeatures] · Wᵀ + b.
    /// - Parameters:
    ///   - weight: W [outFeatures, inFeatures].
    ///   - bias: b [outFeatures], or nil for a layer without bias.
    ///   - after, soloRank: as `Matmul.gemm`'s.
    public static func forward(y: FloatPointer, x: ConstFloatPointer,
                               weight: ConstFloatPointer, bias: ConstFloatPointer?,
                               rows: Int, inFeatures: Int, outFeatures: Int,
                               then after: Parallel.After = .barrier, soloRank: Int = 0,
                               finish: (Matmul.Band) -> Void = { _ in }) {
        // Each thread starts its own band of y from the bias, then adds its product to it
        // (and runs `finish` on it: an activation, say).
        Matmul.gemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures,
                    a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                    beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures, then: after, soloRank: soloRank,
                    prepare: { band in
                        guard let bias else { return }
                        band.forEachRowSpan(ldc: outFeatures) { span in
                            (y + span.lowerBound).update(from: bias + band.columns.lowerBound, count: span.count)
                        }
                    },
                    finish: finish)
    }

    /// Writes dW [out, in] = dyᵀ · x and db [out] = Σ_rows dy; writes dx [rows, in] = dy · W,
    /// or adds it when `accumulateInput` (several consumers of one input).
    /// Pass `dx: nil` when the input needs no gradient. The three read only dy, x and W,
    /// so they run back to back and the team meets once, at the end; when dW and dx are each
    /// too small to split, they run side by side on the first and the last rank.
    /// `finishInputGradient` runs on each band of dx as it is written (the gradient through
    /// an activation, say).
    public static func backward(dx: FloatPointer?, dWeight: FloatPointer, dBias: FloatPointer?,
                                dy: ConstFloatPointer, x: ConstFloatPointer, weight: ConstFloatPointer,
                                rows: Int, inFeatures: Int, outFeatures: Int,
                                accumulateInput: Bool = false,
                                finishInputGradient: (Matmul.Band) -> Void = { _ in }) {
        assert(dx.map { ConstFloatPointer($0) != dy && ConstFloatPointer($0) != x } ?? true,
               "Linear.backward: dx must not share storage with dy or x")
        Matmul.gemm(.transposed, .none, m: outFeatures, n: inFeatures, k: rows,
                    a: dy, lda: outFeatures, b: x, ldb: inFeatures,
                    c: dWeight, ldc: inFeatures, then: .nowait)
        if let dBias { ColumnSum.write(dBias, dy, rows: rows, columns: outFeatures, then: .nowait) }
        if let dx {
            Matmul.gemm(.none, .none, m: rows, n: inFeatures, k: outFeatures,
                        a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                        beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures, then: .nowait,
                        soloRank: Parallel.lastRank, finish: finishInputGradient)
        }
        Parallel.barrier()
    }
}

/// Column sums of a row-major matrix, split across cores by column ranges.
public enum ColumnSum {
    /// out[j] = Σ_r m[r, j] for a matrix with `columns` columns and row stride `stride`.
    public static func write(_ out: FloatPointer, _ m: ConstFloatPointer,
                             rows: Int, columns: Int, stride: Int? = nil, then after: Parallel.After = .barrier) {
        let ld = stride ?? columns
        Parallel.forEach(columns, work: rows, then: after) { range in
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
