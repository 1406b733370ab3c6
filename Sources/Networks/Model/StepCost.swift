import Kernels

/// The matrix-product work of one training step, counted product by product as the
/// engine performs it (forward and backward), so that GFLOP/s figures are honest.
public struct StepCost {
    public let config: ModelConfig
    public let batch: Int

    public init(config: ModelConfig, batch: Int) {
        self.config = config
        self.batch = batch
    }

    /// Floating-point operations of the forward pass's products.
    public var forwardFlops: Double { count(backward: false) }
    /// Floating-point operations of the backward pass's products.
    public var backwardFlops: Double { count(backward: true) }
    /// Forward plus backward.
    public var trainingStepFlops: Double { forwardFlops + backwardFlops }

    /// The largest single product of the step, as (m, n, k).
    public var largestProduct: (m: Int, n: Int, k: Int) {
        let c = config, rows = batch * c.tokens, d = c.hiddenSize
        switch c.architecture {
        case .whiteBox: return (rows, d, d)
        case .dit: return c.mlpHidden >= 3 * d ? (rows, c.mlpHidden, d) : (rows, 3 * d, d)
        }
    }

    private func count(backward: Bool) -> Double {
        let c = config
        let (b, n, d, p) = (batch, c.tokens, c.hiddenSize, c.patchSize)
        let rows = b * n
        // A Linear costs one product forward; backward, one for dW and one more for dx when needed.
        func linear(_ rows: Int, _ inF: Int, _ outF: Int, inputGradient: Bool = true) -> Double {
            Matmul.flops(m: rows, n: outF, k: inF) * (backward ? (inputGradient ? 2 : 1) : 1)
        }
        // One head's pair of N × N × p products, over every (cell, head).
        let attentionPair = Double(b * c.heads) * Matmul.flops(m: n, n: n, k: c.headWidth)
        var total = linear(rows, p, d, inputGradient: false)                 // patch embedding
            + linear(b, TimestepEmbedding.frequencyCount, d, inputGradient: false)
            + linear(b, d, d)                                                // timestep MLP
            + linear(b, d, 2 * d) + linear(rows, d, p)                       // final layer
        for _ in 0..<c.depth {
            total += linear(b, d, 6 * d)                                     // adaLN
            switch c.architecture {
            case .whiteBox:
                total += linear(rows, d, d)                                  // U (attn.qkv)
                if c.heads > 1 { total += linear(rows, d, d) }               // to_out
                total += attentionPair * (backward ? 3 : 2)                  // MSSA: A·w, w·wᵀ; back: Aᵀ·dO, dO·wᵀ, dS·w
                total += Matmul.flops(m: rows, n: d, k: d) * (backward ? 4 : 2)   // ISTA
            case .dit:
                total += linear(rows, d, 3 * d) + linear(rows, d, d)         // qkv, proj
                total += attentionPair * (backward ? 4 : 2)                  // back: dv, dA, dq, dk
                total += linear(rows, d, c.mlpHidden) + linear(rows, c.mlpHidden, d)
            }
        }
        return total
    }
}
