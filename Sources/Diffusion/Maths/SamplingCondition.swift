/// What a conditional network is asked while sampling: each cell's code in each of its A
/// label attributes, the code for "no label" in each, and the guidance per attribute.
public struct SamplingCondition: Sendable {
    /// [cells, A] row-major.
    public var codes: [Int32]
    public var nullCodes: [Int32]
    public var weights: [Double]
    public var composition: Guidance.Composition

    public init(codes: [Int32], nullCodes: [Int32], weights: [Double], composition: Guidance.Composition = .joint) {
        precondition(weights.count == nullCodes.count && codes.count % max(nullCodes.count, 1) == 0,
                     "SamplingCondition: one weight per attribute and A codes per cell")
        (self.codes, self.nullCodes, self.weights, self.composition) = (codes, nullCodes, weights, composition)
    }

    /// `labels` read under `attributes`, guided by `guidance`.
    public init(labels: [String], attributes: LabelAttributes, guidance: Guidance) throws {
        self.init(codes: try attributes.codes(of: labels), nullCodes: attributes.nullCodes,
                  weights: guidance.weights(for: attributes.columns), composition: guidance.composition)
    }

    public var attributes: Int { nullCodes.count }

    /// Whether a step needs more than the one conditional pass: one attribute or the joint
    /// composition with every weight 1 does not.
    var isGuided: Bool {
        composition == .product ? attributes > 1 || weights[0] != 1 : weights.contains { $0 != 1 }
    }

    /// The conditions of cells `range` alone.
    func cells(_ range: Range<Int>) -> SamplingCondition {
        let a = attributes
        return SamplingCondition(codes: Array(codes[(range.lowerBound * a)..<(range.upperBound * a)]), nullCodes: nullCodes,
                                 weights: weights, composition: composition)
    }
}
