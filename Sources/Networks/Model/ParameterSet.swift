import Kernels

/// One flat block of floats laid out by a `ParameterLayout`: a network's weights,
/// or their gradients (same layout, so the same typed views serve both).
public final class ParameterSet {
    public let layout: ParameterLayout
    public let storage: FloatBuffer

    public init(layout: ParameterLayout) {
        self.layout = layout
        storage = FloatBuffer(count: layout.totalCount)
    }

    /// The tensor called `name`; the name must be in the layout.
    public func pointer(_ name: String) -> FloatPointer {
        guard let entry = layout.entry(name) else { preconditionFailure("no tensor named \(name)") }
        return storage.pointer + entry.offset
    }

    /// The tensor called `name`, or nil when the layout has none (optional tensors).
    public func optionalPointer(_ name: String) -> FloatPointer? {
        layout.entry(name).map { storage.pointer + $0.offset }
    }

    /// The trainable prefix: what the optimiser updates.
    public var trainable: FloatPointer { storage.pointer }

    /// A copy of the tensor called `name` (tests and files).
    public func values(_ name: String) -> [Float] {
        guard let entry = layout.entry(name) else { preconditionFailure("no tensor named \(name)") }
        return Array(UnsafeBufferPointer(start: storage.pointer + entry.offset, count: entry.count))
    }

    /// Copies every value from another set with the same layout.
    public func copy(from other: ParameterSet) {
        precondition(other.layout == layout, "parameter layouts differ")
        storage.pointer.update(from: other.storage.pointer, count: layout.totalCount)
    }
}

// MARK: - Typed views

/// The tensors every network has outside its blocks.
struct EmbeddingTensors {
    let patchWeight, patchBias: FloatPointer            // [D, P], [D]
    let position: FloatPointer                          // [N, D]
    let timeWeight1, timeBias1: FloatPointer            // [D, 256], [D]
    let timeWeight2, timeBias2: FloatPointer            // [D, D], [D]
    let labelTable: FloatPointer?                       // [labelTableRows, D]
    let finalModulationWeight, finalModulationBias: FloatPointer   // [2D, D], [2D]
    let finalWeight, finalBias: FloatPointer            // [P, D], [P]

    init(_ set: ParameterSet) {
        patchWeight = set.pointer("x_embedder.proj.weight")
        patchBias = set.pointer("x_embedder.proj.bias")
        position = set.pointer("pos_embed")
        timeWeight1 = set.pointer("t_embedder.mlp.0.weight")
        timeBias1 = set.pointer("t_embedder.mlp.0.bias")
        timeWeight2 = set.pointer("t_embedder.mlp.2.weight")
        timeBias2 = set.pointer("t_embedder.mlp.2.bias")
        labelTable = set.optionalPointer("y_embedder.embedding_table.weight")
        finalModulationWeight = set.pointer("final_layer.adaLN_modulation.1.weight")
        finalModulationBias = set.pointer("final_layer.adaLN_modulation.1.bias")
        finalWeight = set.pointer("final_layer.linear.weight")
        finalBias = set.pointer("final_layer.linear.bias")
    }
}

/// One white-box block's tensors.
struct WhiteBoxBlockTensors {
    let modulationWeight, modulationBias: FloatPointer  // [6D, D], [6D]
    let projection: FloatPointer                        // attn.qkv [D, D], no bias
    let outputWeight, outputBias: FloatPointer?         // attn.to_out.0 [D, D], [D]; absent with one head
    let dictionary: FloatPointer                        // mlp.weight [D, D]

    init(_ set: ParameterSet, block i: Int) {
        let p = "blocks.\(i)."
        modulationWeight = set.pointer(p + "adaLN_modulation.1.weight")
        modulationBias = set.pointer(p + "adaLN_modulation.1.bias")
        projection = set.pointer(p + "attn.qkv.weight")
        outputWeight = set.optionalPointer(p + "attn.to_out.0.weight")
        outputBias = set.optionalPointer(p + "attn.to_out.0.bias")
        dictionary = set.pointer(p + "mlp.weight")
    }
}

/// One DiT block's tensors.
struct DiTBlockTensors {
    let modulationWeight, modulationBias: FloatPointer  // [6D, D], [6D]
    let qkvWeight, qkvBias: FloatPointer                // [3D, D], [3D]
    let projWeight, projBias: FloatPointer              // [D, D], [D]
    let fc1Weight, fc1Bias: FloatPointer                // [hidden, D], [hidden]
    let fc2Weight, fc2Bias: FloatPointer                // [D, hidden], [D]

    init(_ set: ParameterSet, block i: Int) {
        let p = "blocks.\(i)."
        modulationWeight = set.pointer(p + "adaLN_modulation.1.weight")
        modulationBias = set.pointer(p + "adaLN_modulation.1.bias")
        qkvWeight = set.pointer(p + "attn.qkv.weight")
        qkvBias = set.pointer(p + "attn.qkv.bias")
        projWeight = set.pointer(p + "attn.proj.weight")
        projBias = set.pointer(p + "attn.proj.bias")
        fc1Weight = set.pointer(p + "mlp.fc1.weight")
        fc1Bias = set.pointer(p + "mlp.fc1.bias")
        fc2Weight = set.pointer(p + "mlp.fc2.weight")
        fc2Bias = set.pointer(p + "mlp.fc2.bias")
    }
}
