import ArgumentParser
import CellData
import Foundation
import Kernels
import Networks

/// The options naming a checkpoint and what to run it on (`forward`, `grad`).
struct NetworkInputOptions: ParsableArguments {
    @Option(help: "A safetensors checkpoint.")
    var checkpoint: String
    @Option(help: "Noisy cells x_t: .npy of shape [cells, genes] or [cells, 1, genes].")
    var x: String
    @Option(help: "Timesteps: .npy of [cells] integers in 0…999.")
    var t: String
    @Option(help: "Class ids for a conditional model: .npy of [cells] integers.")
    var labels: String?
    @Option(help: "Threads for BLAS and elementwise work (default: all cores).")
    var threads: Int?

    /// Configures the threads, then reads and checks everything.
    func load() throws -> ModelInputs {
        try Threads.configureFromOption(threads)
        return try ModelInputs(checkpoint: checkpoint, x: x, t: t, labels: labels)
    }
}

/// A checkpoint and the cells, timesteps and labels to run it on, checked against each other.
struct ModelInputs {
    let network: DiffusionTransformer
    let x: CellMatrix
    let t: [Float]
    /// Class ids [cells, A] for a conditional model (an attribute's class count means "no label"); nil otherwise.
    let labels: [Int32]?

    init(checkpoint: String, x xPath: String, t tPath: String, labels labelsPath: String?) throws {
        network = try Checkpoint.load(checkpoint)
        let config = network.config
        x = try CellMatrix.load(npy: xPath, expectedGenes: config.inputWidth, role: "x")
        t = try Timesteps.load(npy: tPath, cells: x.cells)
        switch (config.labelClasses, labelsPath) {
        case (nil, nil):
            labels = nil
        case (nil, _?):
            throw InputError("--labels was given, but \(checkpoint) is an unconditional model")
        case (let classes?, nil):
            labels = (0..<x.cells).flatMap { _ in classes.map(Int32.init) }   // unconditional: every "no label" row
        case (let classes?, let path?):
            let array = try NumpyArray(contentsOf: path)
            let a = classes.count
            guard array.shape == [x.cells, a] || (a == 1 && array.shape == [x.cells]) else {
                throw InputError("\(path): labels must have shape [\(x.cells)\(a == 1 ? "" : ", \(a)")], not \(array.shape)")
            }
            for (i, value) in array.values.enumerated() where !(value >= 0 && value <= Float(classes[i % a]) && value.rounded() == value) {
                throw InputError("\(path): label \(value) is not a class id in 0…\(classes[i % a]) (\(classes[i % a]) means no label)")
            }
            labels = array.values.map { Int32($0) }
        }
    }

    /// The largest number of cells run through the network at once: bounds memory for big inputs.
    static let chunk = 64

    /// Calls `body(range, output)` for consecutive chunks of cells after a forward pass on each,
    /// reporting progress on stderr.
    func forEachChunk(_ body: (Range<Int>, ConstFloatPointer) throws -> Void) rethrows {
        let g = x.genes
        let progress = ProgressLine()
        defer { progress.finish() }
        for start in stride(from: 0, to: x.cells, by: Self.chunk) {
            progress.update("cells \(start)/\(x.cells)")
            let range = start..<min(x.cells, start + Self.chunk)
            let out: ConstFloatPointer = x.values.withUnsafeBufferPointer { xs in
                t.withUnsafeBufferPointer { ts in
                    let xp = xs.baseAddress! + start * g, tp = ts.baseAddress! + start
                    guard let labels else { return network.forward(x: xp, t: tp, batch: range.count) }
                    return labels.withUnsafeBufferPointer {
                        network.forward(x: xp, t: tp, labels: $0.baseAddress! + start * network.config.labelAttributes, batch: range.count)
                    }
                }
            }
            try body(range, out)
        }
    }
}
