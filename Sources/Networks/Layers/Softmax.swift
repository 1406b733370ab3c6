import Foundation
import Kernels

/// Row-wise softmax of small square score matrices (one attention head at a time).
public enum Softmax {
    /// In place: each of `rows` rows of `width` values becomes exp(s − max) / Σ exp(s − max).
    @inline(__always)
    public static func forward(_ scores: FloatPointer, rows: Int, width: Int) {
        for r in 0..<rows {
            let s = scores + r * width
            var maximum = -Float.infinity
            for j in 0..<width { maximum = max(maximum, s[j]) }
            var sum: Float = 0
            for j in 0..<width { let e = expf(s[j] - maximum); s[j] = e; sum += e }
            let inverse = 1 / sum
            for j in 0..<width { s[j] *= inverse }
        }
    }

    /// In place: turns dA (gradient w.r.t. the probabilities) into dS (w.r.t. the scores):
    /// dS[i, j] = A[i, j] · (dA[i, j] − Σ_k dA[i, k] · A[i, k]).
    @inline(__always)
    public static func backward(_ gradient: FloatPointer, probabilities: ConstFloatPointer,
                                rows: Int, width: Int) {
        for r in 0..<rows {
            let g = gradient + r * width, a = probabilities + r * width
            var dot: Float = 0
            for j in 0..<width { dot += g[j] * a[j] }
            for j in 0..<width { g[j] = a[j] * (g[j] - dot) }
        }
    }
}
