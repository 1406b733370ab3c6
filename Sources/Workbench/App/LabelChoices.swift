import Diffusion

/// The cell types the sample form offers in a conditional run: the training mix, each type
/// with its count of real cells (most common first), and no type at all.
struct LabelChoices {
    let entries: [(text: String, request: LabelRequest)]

    init(names: [String], typeCounts: [String: Int]) {
        let ranked = names.sorted { (typeCounts[$0] ?? 0, $1) > (typeCounts[$1] ?? 0, $0) }
        entries = [("all types (training mix)", .trainingMix)]
            + ranked.map { ("\($0) · \(typeCounts[$0] ?? 0) real", .one($0)) }
            + [("none (unconditional)", .none)]
    }

    var texts: [String] { entries.map(\.text) }

    func request(for text: String) -> LabelRequest? { entries.first { $0.text == text }?.request }
}
