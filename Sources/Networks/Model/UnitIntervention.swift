import Kernels

/// One unit scaled in every forward pass: in block `layer`, the feed-forward unit `unit`
/// (the white-box model's ISTA atom, DiT's MLP hidden unit after GELU) multiplied by
/// `scale` in every token before the layer uses it (0 removes it). For asking what a unit
/// does to the cells a network generates; `backward` refuses a network under one.
public struct UnitIntervention: Equatable, Sendable {
    public let layer: Int
    public let unit: Int
    public let scale: Float

    public init(layer: Int, unit: Int, scale: Float) {
        (self.layer, self.unit, self.scale) = (layer, unit, scale)
    }

    /// Why this intervention does not fit `config`'s network, or nil.
    public func problem(for config: ModelConfig) -> String? {
        let units = config.architecture == .whiteBox ? config.hiddenSize : config.mlpHidden
        if !(0..<config.depth).contains(layer) { return "layer \(layer + 1) of a network with \(config.depth)" }
        if !(0..<units).contains(unit) { return "unit \(unit) of a layer with \(units) (0-\(units - 1))" }
        if !scale.isFinite { return "a scale of \(scale)" }
        return nil
    }

    /// Scales column `unit` of `rows` rows of `width` values.
    func apply(_ values: FloatPointer, rows: Int, width: Int) {
        for r in 0..<rows { values[r * width + unit] *= scale }
    }
}
