import ArgumentParser
import Diffusion

extension Guidance.Composition: ExpressibleByArgument {}

/// `--guidance` as `sample` and `eval` take it: weights W in [0, 20], either one for every
/// label attribute or `COLUMN=W[,COLUMN=W…]`, one per attribute (those not named keep 1).
enum GuidanceOption {
    /// The guidance `text` asks of a run with label `attributes` (nil: unconditional, where
    /// only the plain weight 1 is allowed). Several bare weights are a sweep (eval only).
    static func parse(_ text: String, composition: Guidance.Composition, attributes: LabelAttributes?,
                      sweep: Bool = false) throws -> [Guidance] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw InputError("--guidance needs at least one weight") }
        func weight(_ text: String) throws -> Double {
            guard let w = Double(text), SamplerSettings.guidanceRange.contains(w) else {
                throw InputError("--guidance takes weights in [0, \(Int(SamplerSettings.guidanceRange.upperBound))] (got \(text))")
            }
            return w
        }
        let asked: [Guidance]
        if parts.contains(where: { $0.contains("=") }) {
            guard let attributes else { throw InputError("--guidance needs a conditional run (trained with --labels)") }
            var weights: [String: Double] = [:]
            for part in parts {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, attributes.columns.contains(pair[0]) else {
                    throw InputError("--guidance \(part): name one of the run's label columns (\(attributes.columns.joined(separator: ", "))) as COLUMN=W")
                }
                weights[pair[0]] = try weight(pair[1])
            }
            asked = [Guidance(1, weights: weights, composition: composition)]
        } else {
            asked = try parts.map { Guidance(try weight($0), composition: composition) }
        }
        guard sweep || asked.count == 1 else { throw InputError("--guidance takes one weight here, or COLUMN=W per attribute (got \(text))") }
        if attributes == nil, asked != [Guidance(1, composition: composition)] {
            throw InputError("--guidance needs a conditional run (trained with --labels)")
        }
        return asked
    }
}
