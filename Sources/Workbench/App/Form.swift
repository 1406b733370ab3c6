import Diffusion
import Kernels

/// A small form: labelled text fields with defaults, edited in place. Up/Down (or Tab)
/// move between fields, typing edits, Enter submits, Escape cancels.
public struct Form: Sendable {
    public enum Purpose: Sendable, Equatable { case sample, newRun }

    public struct Field: Sendable {
        public var key: String
        public var label: String
        public var value: String
        public var hint: String
        /// A choice field: its value is one of these, cycled with ←/→ (empty: free text).
        public var choices: [String]
        public init(_ key: String, _ label: String, _ value: String, hint: String = "", choices: [String] = []) {
            (self.key, self.label, self.value, self.hint, self.choices) = (key, label, value, hint, choices)
        }
    }

    public var purpose: Purpose
    public var title: String
    public var fields: [Field]
    public var focus = 0
    /// Why the last submission was refused.
    public var error: String?

    public init(purpose: Purpose, title: String, fields: [Field]) {
        self.purpose = purpose
        self.title = title
        self.fields = fields
    }

    public subscript(key: String) -> String { fields.first { $0.key == key }?.value ?? "" }

    /// Edits the form with a key; returns false for keys it does not use (Enter, Escape).
    public mutating func handle(_ key: Key) -> Bool {
        let choices = fields[focus].choices
        if !choices.isEmpty {
            switch key {
            case .left, .right:
                let current = choices.firstIndex(of: fields[focus].value) ?? 0
                fields[focus].value = choices[(current + (key == .left ? choices.count - 1 : 1)) % choices.count]
                error = nil
                return true
            case .backspace, .character: return true   // a choice is not typed
            default: break
            }
        }
        switch key {
        case .up, .backTab: focus = (focus + fields.count - 1) % fields.count
        case .down, .tab: focus = (focus + 1) % fields.count
        case .backspace: if !fields[focus].value.isEmpty { fields[focus].value.removeLast() }
        case .character(let c) where !c.isNewline && fields[focus].value.count < 200:
            fields[focus].value.append(c)
        default: return false
        }
        error = nil
        return true
    }

    /// The form for `s`: how many cells, which sampler, how many steps; in a conditional
    /// run also which cell type (`typeChoices`, see `LabelChoices`) and the guidance weight.
    public static func sample(defaultCells: Int, typeChoices: [String] = []) -> Form {
        // With a type list the value column is wider, so the hints are shorter.
        let short = !typeChoices.isEmpty
        let range = SamplerSettings.stepRange
        var fields = [
            Field("cells", "cells", String(defaultCells), hint: "1-5000"),
            Field("sampler", "sampler", "ddim", hint: short ? "or ddpm" : "ddim or ddpm"),
            Field("steps", "steps", "50", hint: (short ? "" : "DDIM steps, ") + "\(range.lowerBound)-\(range.upperBound)"),
        ]
        if let first = typeChoices.first {
            fields += [Field("type", "cell type", first, hint: "←/→", choices: typeChoices),
                       Field("guidance", "guidance", "1", hint: "1: plain")]
        }
        return Form(purpose: .sample, title: "Sample now", fields: fields)
    }

    /// The form for `n`, prefilled from the current run's settings (steps empty: the
    /// preset's count for the chosen network).
    public static func newRun(data: String, architecture: String, hidden: Int, depth: Int, heads: Int, patch: Int,
                              batch: Int, learningRate: Double, steps: Int?, seed: UInt64, precision: ProductPrecision,
                              run: String) -> Form {
        Form(purpose: .newRun, title: "New run", fields: [
            Field("data", "data file", data, hint: ".h5ad, 10x folder, .csv or .npy"),
            Field("arch", "architecture", architecture, hint: "wbdit or dit"),
            Field("hidden", "hidden", String(hidden), hint: "token width"),
            Field("depth", "depth", String(depth), hint: "blocks"),
            Field("heads", "heads", String(heads), hint: "hidden must divide by it"),
            Field("patch", "patch", String(patch), hint: "values per token"),
            Field("batch", "batch", String(batch), hint: "cells per step"),
            Field("lr", "learning rate", String(learningRate), hint: "AdamW"),
            Field("steps", "steps", steps.map(String.init) ?? "", hint: "empty: preset's"),
            Field("seed", "seed", String(seed), hint: ""),
            Field("precision", "products", precision.rawValue, hint: "bf16: AVX-512 BF16",
                  choices: ProductPrecision.allCases.map(\.rawValue)),
            Field("run", "run directory", run, hint: "must not exist"),
        ])
    }
}
