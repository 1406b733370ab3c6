import Diffusion

/// The labels the sample form offers in a conditional run: the training mix, each type (or
/// each combination of attributes) with its count of real cells, most common first; with
/// several attributes each class of one attribute alone, the others left out; and no label.
struct LabelChoices {
    let entries: [(text: String, request: LabelRequest)]

    init(attributes: LabelAttributes, typeCounts: [String: Int]) {
        let labels = attributes.columns.count == 1 ? attributes.classes[0] : typeCounts.keys.sorted()
        let ranked = labels.sorted { (typeCounts[$0] ?? 0, $1) > (typeCounts[$1] ?? 0, $0) }
        let alone = attributes.columns.count == 1 ? [] : zip(attributes.columns, attributes.classes).flatMap { column, names in
            names.map { ("\(column)=\($0) · others left out", LabelRequest.one("\(column)=\($0)")) }
        }
        entries = [(attributes.columns.count == 1 ? "all types (training mix)" : "all combinations (training mix)", .trainingMix)]
            + ranked.map { ("\($0) · \(typeCounts[$0] ?? 0) real", .one($0)) }
            + alone
            + [("none (unconditional)", .none)]
    }

    var texts: [String] { entries.map(\.text) }

    func request(for text: String) -> LabelRequest? { entries.first { $0.text == text }?.request }
}
