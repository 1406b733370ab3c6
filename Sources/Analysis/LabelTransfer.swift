import CellData

/// Cell types carried from real cells to generated ones by a k-nearest-neighbour vote
/// (Euclidean, in the space given — usually principal components of the real cells;
/// ties go to the label of the nearer neighbour), as a scikit-learn `KNeighborsClassifier`
/// with uniform weights predicts them.
public struct LabelTransfer: Sendable {
    /// The predicted label of each generated cell.
    public let predicted: [String]

    public init(real: CellMatrix, labels: [String], generated: CellMatrix, neighbours k: Int = 5) {
        let knn = NearestNeighbours(of: generated, in: real, k: k)
        predicted = (0..<generated.cells).map { i in
            var votes: [String: (count: Int, first: Int)] = [:]
            for slot in 0..<knn.k {
                let label = labels[Int(knn.indices[i * knn.k + slot])]
                let v = votes[label] ?? (0, slot)
                votes[label] = (v.count + 1, v.first)
            }
            return votes.max { ($0.value.count, -$0.value.first) < ($1.value.count, -$1.value.first) }!.key
        }
    }

    /// The fraction of generated cells whose predicted label is the one they were asked for.
    public func accuracy(requested: [String]) -> Double {
        precondition(requested.count == predicted.count)
        guard !predicted.isEmpty else { return .nan }
        return Double(zip(predicted, requested).filter { $0 == $1 }.count) / Double(predicted.count)
    }

    /// Total variation distance between the label mix of `a` and that of `b` (0: the same mix).
    public static func mixDistance(_ a: [String], _ b: [String]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var fa: [String: Double] = [:], fb: [String: Double] = [:]
        for l in a { fa[l, default: 0] += 1 / Double(a.count) }
        for l in b { fb[l, default: 0] += 1 / Double(b.count) }
        // Summed in label order: a set's order changes from process to process, and with it the rounding.
        return Set(fa.keys).union(fb.keys).sorted().reduce(0.0) { $0 + abs((fa[$1] ?? 0) - (fb[$1] ?? 0)) } / 2
    }
}
