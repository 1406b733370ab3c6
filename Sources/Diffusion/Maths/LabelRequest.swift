/// Which cell types a conditional run is asked to generate.
public enum LabelRequest: Sendable, Equatable {
    /// No label: unconditional sampling (the "no label" class).
    case none
    /// Every cell of one type.
    case one(String)
    /// The training cells' mix of types.
    case trainingMix

    /// The label of each of `cells` cells: for the training mix, each label (a type, or a
    /// combination of several attributes) in proportion to its count in `counts` (label →
    /// training cells), largest remainders rounded up, in label order. Nil for `.none`.
    public func labels(cells: Int, counts: [String: Int]) -> [String]? {
        switch self {
        case .none: return nil
        case .one(let name): return Array(repeating: name, count: cells)
        case .trainingMix:
            let names = counts.keys.sorted()
            let total = max(1, names.reduce(0) { $0 + (counts[$1] ?? 0) })
            let shares = names.map { Double(counts[$0] ?? 0) / Double(total) * Double(cells) }
            var whole = shares.map { Int($0) }
            let remainders = shares.indices.sorted { shares[$0] - Double(whole[$0]) > shares[$1] - Double(whole[$1]) }
            for k in remainders.prefix(cells - whole.reduce(0, +)) { whole[k] += 1 }
            return zip(names, whole).flatMap { Array(repeating: $0, count: $1) }
        }
    }
}
