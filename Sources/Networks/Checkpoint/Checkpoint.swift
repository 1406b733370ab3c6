import Foundation
import Kernels

/// A checkpoint does not fit the network it claims to describe.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Network weights in safetensors, with the reference implementation's tensor names
/// and shapes, so files move both ways between this engine and PyTorch.
///
/// The header's `__metadata__` carries the configuration (all values strings):
/// `architecture`, `genes`, `patch_size`, `hidden_size`, `depth`, `num_heads`,
/// `mlp_ratio`, and `num_classes` for conditional models.
public enum Checkpoint {
    /// The metadata that describes `config`.
    public static func metadata(for config: ModelConfig) -> [String: String] {
        var m = [
            "architecture": config.architecture.rawValue,
            "genes": String(config.inputWidth),
            "patch_size": String(config.patchSize),
            "hidden_size": String(config.hiddenSize),
            "depth": String(config.depth),
            "num_heads": String(config.heads),
            "mlp_ratio": String(config.mlpRatio),
        ]
        if let classes = config.labelClasses { m["num_classes"] = classes.map(String.init).joined(separator: ",") }
        return m
    }

    /// The configuration a checkpoint's metadata describes.
    public static func config(from metadata: [String: String], file: String) throws -> ModelConfig {
        func value(_ key: String) throws -> String {
            guard let v = metadata[key] else {
                throw CheckpointError("\(file) has no \(key) in its metadata (a wbdit checkpoint records architecture, genes, patch_size, hidden_size, depth, num_heads, mlp_ratio)")
            }
            return v
        }
        func integer(_ key: String) throws -> Int {
            let v = try value(key)
            guard let n = Int(v) else { throw CheckpointError("\(file): metadata \(key) is \"\(v)\", not an integer") }
            return n
        }
        let name = try value("architecture")
        guard let architecture = Architecture(rawValue: name) else {
            throw CheckpointError("\(file): architecture \"\(name)\" is neither wbdit nor dit")
        }
        let ratioText = metadata["mlp_ratio"] ?? "4.0"
        guard let ratio = Double(ratioText) else { throw CheckpointError("\(file): metadata mlp_ratio is \"\(ratioText)\", not a number") }
        let classes = try metadata["num_classes"].map { text in
            try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
                guard let n = Int(part) else { throw CheckpointError("\(file): metadata num_classes is \"\(text)\", not integers separated by commas") }
                return n
            }
        }
        do {
            return try ModelConfig(architecture: architecture, inputWidth: integer("genes"), patchSize: integer("patch_size"),
                                   hiddenSize: integer("hidden_size"), depth: integer("depth"), heads: integer("num_heads"),
                                   mlpRatio: ratio, labelClasses: classes)
        } catch let error as ConfigurationError {
            throw CheckpointError("\(file): \(error.description)")
        }
    }

    /// Writes the network's weights atomically, with its configuration and `extraMetadata`.
    public static func save(_ network: DiffusionTransformer, to path: String,
                            extraMetadata: [String: String] = [:]) throws {
        var writer = SafeTensorsWriter(metadata: metadata(for: network.config).merging(extraMetadata) { a, _ in a })
        for entry in network.parameters.layout.entries {
            writer.add(entry.name, shape: entry.shape, floats: network.parameters.storage.pointer + entry.offset)
        }
        try writer.write(to: path)
    }

    /// Reads a network from a checkpoint, checking every tensor's name, shape and dtype.
    public static func load(_ path: String) throws -> DiffusionTransformer {
        let file = try SafeTensorsFile(contentsOf: path)
        let config = try config(from: file.metadata, file: path)
        let network = DiffusionTransformer(config: config)
        try restore(network.parameters, from: file, name: path)
        return network
    }

    /// Fills `parameters` from `file`, or explains every mismatch in one line.
    /// `pos_embed` may be absent: it is fixed, so it is computed instead.
    public static func restore(_ parameters: ParameterSet, from file: SafeTensorsFile, name: String) throws {
        let layout = parameters.layout
        var problems: [String] = []
        let expected = Set(layout.entries.map(\.name))
        let missing = layout.entries.filter { file.info($0.name) == nil && $0.name != "pos_embed" }.map(\.name)
        if !missing.isEmpty { problems.append("missing \(missing.joined(separator: ", "))") }
        let extra = file.tensors.map(\.name).filter { !expected.contains($0) }
        if !extra.isEmpty { problems.append("unexpected \(extra.joined(separator: ", "))") }
        for entry in layout.entries {
            guard let info = file.info(entry.name) else { continue }
            if info.shape != entry.shape {
                problems.append("\(entry.name) has shape \(info.shape), expected \(entry.shape)")
            } else if info.dtype != .f32 {
                problems.append("\(entry.name) has dtype \(info.dtypeName), expected F32")
            }
        }
        if !problems.isEmpty {
            let shown = problems.count > 4 ? problems.prefix(4) + ["and \(problems.count - 4) more"] : problems[...]
            throw CheckpointError("\(name) does not fit the model its metadata describes: \(shown.joined(separator: "; "))")
        }
        for entry in layout.entries {
            let destination = parameters.storage.pointer + entry.offset
            if file.info(entry.name) == nil {
                PositionEmbedding.fill(destination, tokens: entry.shape[1], width: entry.shape[2])
            } else {
                try file.copyFloat32(entry.name, into: destination)
            }
        }
        try checkFinite(parameters, name: name)
    }

    /// Refuses weights holding NaN or infinity: they would poison every prediction.
    static func checkFinite(_ parameters: ParameterSet, name: String) throws {
        for entry in parameters.layout.entries {
            let values = UnsafeBufferPointer(start: parameters.storage.pointer + entry.offset, count: entry.count)
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError("\(name): tensor \(entry.name) holds \(values[i]) at element \(i)")
            }
        }
    }
}
