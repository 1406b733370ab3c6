import Kernels

/// Row-wise softmax of small square score matrices (one attention head at a time).
public enum Softmax {
    /// In place: each of `rows` rows of `width` values becomes exp(s − max) / Σ exp(s − max).
    @inline(__always)
    public static func forward(_ scores: FloatPointer, rows: Int, width: Int) {
        for r in 0..<rows {
            let s = scores + r * width
            let maximum = VectorMath.maximum(s, count: width)
            let inverse = 1 / VectorMath.exponentiate(s, subtracting: maximum, count: width)
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
            let dot = VectorMath.dot(g, a, count: width)
            for j in 0..<width { g[j] = a[j] * (g[j] - dot) }
        }
    }
}
