/// The ordered list of a network's tensors, with the reference implementation's
/// names and shapes (`docs/architecture.md`), and where each lives in one
/// flat block of floats.
///
/// Trainable tensors come first and are contiguous, so the optimiser and gradient
/// norms run over one range; the fixed `pos_embed` follows them.
public struct ParameterLayout: Equatable {
    public struct Entry: Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public let trainable: Bool
        public var count: Int { shape.reduce(1, *) }
    }

    public let entries: [Entry]
    /// Floats in the trainable prefix.
    public let trainableCount: Int
    /// Floats in the whole block.
    public let totalCount: Int
    private let index: [String: Int]

    public init(config c: ModelConfig) {
        let d = c.hiddenSize
        var specs: [(String, [Int])] = [
            ("x_embedder.proj.weight", [d, 1, c.patchSize, 1]),
            ("x_embedder.proj.bias", [d]),
            ("t_embedder.mlp.0.weight", [d, TimestepEmbedding.frequencyCount]),
            ("t_embedder.mlp.0.bias", [d]),
            ("t_embedder.mlp.2.weight", [d, d]),
            ("t_embedder.mlp.2.bias", [d]),
        ]
        if c.labelClasses != nil { specs.append(("y_embedder.embedding_table.weight", [c.labelTableRows, d])) }
        for i in 0..<c.depth {
            let p = "blocks.\(i)."
            specs.append((p + "adaLN_modulation.1.weight", [6 * d, d]))
            specs.append((p + "adaLN_modulation.1.bias", [6 * d]))
            switch c.architecture {
            case .whiteBox:
                specs.append((p + "attn.qkv.weight", [d, d]))
                if c.heads > 1 {
                    specs.append((p + "attn.to_out.0.weight", [d, d]))
                    specs.append((p + "attn.to_out.0.bias", [d]))
                }
                specs.append((p + "mlp.weight", [d, d]))
            case .dit:
                let hidden = c.mlpHidden
                specs += [
                    (p + "attn.qkv.weight", [3 * d, d]), (p + "attn.qkv.bias", [3 * d]),
                    (p + "attn.proj.weight", [d, d]), (p + "attn.proj.bias", [d]),
                    (p + "mlp.fc1.weight", [hidden, d]), (p + "mlp.fc1.bias", [hidden]),
                    (p + "mlp.fc2.weight", [d, hidden]), (p + "mlp.fc2.bias", [d]),
                ]
            }
        }
        specs += [
            ("final_layer.adaLN_modulation.1.weight", [2 * d, d]),
            ("final_layer.adaLN_modulation.1.bias", [2 * d]),
            ("final_layer.linear.weight", [c.patchSize, d]),
            ("final_layer.linear.bias", [c.patchSize]),
        ]
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in specs {
            entries.append(Entry(name: name, shape: shape, offset: offset, trainable: true))
            offset += shape.reduce(1, *)
        }
        trainableCount = offset
        entries.append(Entry(name: "pos_embed", shape: [1, c.tokens, d], offset: offset, trainable: false))
        totalCount = offset + c.tokens * d
        self.entries = entries
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    public static func == (a: Self, b: Self) -> Bool { a.entries == b.entries }
}
