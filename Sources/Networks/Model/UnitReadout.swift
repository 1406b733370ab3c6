import Kernels

/// What each unit and head of one layer did to a batch of cells in the latest forward
/// pass: the units are the feed-forward layer's own coordinates (the white-box model's ISTA
/// atoms, the code's entries against its dictionary; DiT's MLP hidden units after GELU),
/// the heads its MSSA or attention heads.
public struct UnitReadout: Sendable {
    public let layer: Int
    public let cells: Int
    public let units: Int
    public let heads: Int
    public let tokens: Int
    /// [cells, units]: each unit's activation in a cell, the mean over the cell's tokens.
    public let activations: [Float]
    /// [cells, heads]: each head's coding rate R(Z_h) in a cell (unit tokens, ε² = 0.01).
    public let headRates: [Float]
    /// [heads, tokens, tokens]: row i holds how much token i attends to each token, the
    /// mean over the cells.
    public let attention: [Float]

    /// One layer's readouts of consecutive batches as one: their cells in order, the
    /// attention the mean over all of them.
    public static func joining(_ parts: [UnitReadout]) -> UnitReadout {
        let first = parts[0], cells = parts.reduce(0) { $0 + $1.cells }
        var attention = [Float](repeating: 0, count: first.attention.count)
        for part in parts {
            for k in attention.indices { attention[k] += part.attention[k] * Float(part.cells) / Float(cells) }
        }
        return UnitReadout(layer: first.layer, cells: cells, units: first.units, heads: first.heads, tokens: first.tokens,
                           activations: parts.flatMap(\.activations), headRates: parts.flatMap(\.headRates), attention: attention)
    }
}

extension DiffusionTransformer {
    /// Each layer's units and heads from the activations of the latest forward pass (of a
    /// network that keeps them: not inference-only).
    public func unitReadouts() -> [UnitReadout] {
        guard let a = currentActivations else { return [] }
        precondition(!a.inferenceOnly, "unit readouts need each block's own activations: not an inference-only network")
        let s = a.shape
        let (b, n, heads, p) = (s.batch, s.tokens, s.heads, config.headWidth)
        return a.blocks.enumerated().map { index, block in
            let probe = block.probe
            let width = probe.codeWidth
            var activations = [Float](repeating: 0, count: b * width)
            var rates = [Float](repeating: 0, count: b * heads)
            var attention = [Float](repeating: 0, count: heads * n * n)
            for cell in 0..<b {
                let code = probe.code + cell * n * width
                for token in 0..<n {
                    for u in 0..<width { activations[cell * width + u] += code[token * width + u] / Float(n) }
                }
                for h in 0..<heads {
                    rates[cell * heads + h] = Float(LayerReadout.codingRate(probe.projections + cell * n * probe.projectionStride + h * p,
                                                                            tokens: n, width: p, ld: probe.projectionStride))
                    let weights = probe.probabilities + (cell * heads + h) * n * n
                    for k in 0..<(n * n) { attention[h * n * n + k] += weights[k] / Float(b) }
                }
            }
            return UnitReadout(layer: index, cells: b, units: width, heads: heads, tokens: n, activations: activations,
                               headRates: rates, attention: attention)
        }
    }
}
