import CellData

/// The label attributes a conditional run is conditioned on: obs columns (cell type, donor,
/// batch, …) and each one's classes. Class k of attribute a is `classes[a][k]`; the code
/// `classes[a].count` is that attribute's "no label", which label dropout trains, so that any
/// attribute can be left out when sampling. A cell's label is read under the columns' key
/// (`CombinedLabel`): its class for one attribute, "cell_type=B,donor=3" for several.
public struct LabelAttributes: Equatable, Sendable {
    public let columns: [String]
    public let classes: [[String]]

    public init(columns: [String], classes: [[String]]) {
        precondition(columns.count == classes.count && !columns.isEmpty, "LabelAttributes: one class list per column")
        (self.columns, self.classes) = (columns, classes)
    }

    /// The key cells' labels are read under: the columns joined by commas.
    public var key: String { columns.joined(separator: ",") }
    /// The code meaning "no label" for each attribute.
    public var nullCodes: [Int32] { classes.map { Int32($0.count) } }

    /// Each cell's code in each attribute, [labels.count, A] row-major. A column a label does
    /// not name, or names with an empty value, is that attribute's "no label" (marginalised
    /// when sampling); a class the run does not know is an error naming it.
    public func codes(of labels: [String]) throws -> [Int32] {
        let index = classes.map { names in Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) }) }
        var codes: [Int32] = []
        codes.reserveCapacity(labels.count * columns.count)
        var known: [String: [Int32]] = [:]
        for label in labels {
            if let cached = known[label] { codes += cached; continue }
            let values: [String?]
            do { values = try CombinedLabel.values(in: label, columns: columns) } catch let error as CombinedLabelError {
                throw TrainingError(error.description)
            }
            let cell = try values.enumerated().map { a, value -> Int32 in
                guard let value, !value.isEmpty else { return nullCodes[a] }
                guard let k = index[a][value] else {
                    let what = columns.count == 1 ? "labels" : "\(columns[a]) classes"
                    throw TrainingError("the label \(value) is not one of the run's \(classes[a].count) \(what) (\(classes[a].joined(separator: ", ")))")
                }
                return k
            }
            known[label] = cell
            codes += cell
        }
        return codes
    }

    /// The label of a cell with class `values[a]` in each attribute (`CombinedLabel.join`).
    public func label(_ values: [String]) -> String { CombinedLabel.join(columns, values) }
}

/// Classifier-free guidance for a conditional run: a weight per label attribute (1 is plain
/// conditional sampling; above 1 pushes generated cells towards the asked class), composed
/// over the attributes as `composition` says.
public struct Guidance: Sendable, Equatable, CustomStringConvertible {
    /// How several attributes' guidance adds up, with ε̂(y) the prediction given every asked
    /// attribute, ε̂(y_a) given attribute a alone and ε̂(∅) given none. For one attribute both
    /// are ε̂(∅) + w·(ε̂(y) − ε̂(∅)), the classifier-free guidance of one label.
    public enum Composition: String, Sendable, CaseIterable {
        /// ε̂(y) + Σ_a (w_a − 1)·(ε̂(y_a) − ε̂(∅)): the joint prediction, each attribute pushed
        /// further by its weight; one pass a step when every weight is 1.
        case joint
        /// ε̂(∅) + Σ_a w_a·(ε̂(y_a) − ε̂(∅)): a product of one expert per attribute (CFGen's
        /// compositional guidance), which never reads the asked combination as a whole.
        case product
    }

    /// The weight of every attribute `weights` does not name.
    public var weight: Double
    /// Weights by attribute column.
    public var weights: [String: Double]
    public var composition: Composition

    public init(_ weight: Double = 1, weights: [String: Double] = [:], composition: Composition = .joint) {
        (self.weight, self.weights, self.composition) = (weight, weights, composition)
    }

    /// Plain conditional sampling.
    public static let plain = Guidance()

    /// The weight of each of `columns`.
    public func weights(for columns: [String]) -> [Double] { columns.map { weights[$0] ?? weight } }

    /// "2", or "cell_type=2,donor=1" when attributes have weights of their own.
    public var description: String {
        weights.isEmpty ? Self.format(weight)
            : weights.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.format($0.value))" }.joined(separator: ",")
    }

    private static func format(_ w: Double) -> String { w == w.rounded() && abs(w) < 1e6 ? String(Int(w)) : String(w) }
}
