import Foundation
import Networks

/// A checkpoint's `step-N.optim.safetensors`: everything beyond the weights that an exact
/// resume needs — AdamW's two moments and step count, the EMA weights when the run keeps
/// them, the generator's four words, the epoch and cursor of the data order, and the
/// training seconds a time budget counts. The PyTorch trainer reads and writes the same
/// tensor names and metadata keys (docs/training.md).
enum OptimiserStateFile {
    /// Writes `step`'s state, atomically, for checkpoint `n`.
    static func write(_ step: TrainingStep, checkpoint n: Int, threads: Int, trainingSeconds: Double, to path: String) throws {
        let o = step.optimiser
        let count = step.network.parameters.layout.trainableCount
        let g = step.generator.state
        var writer = SafeTensorsWriter(metadata: [
            "format": String(TrainingConfig.currentFormat), "step": String(n), "adam_step": String(o.step),
            "epoch": String(step.epoch), "cursor": String(step.cursor), "threads": String(threads),
            "generator": "\(g.0),\(g.1),\(g.2),\(g.3)", "training_seconds": String(trainingSeconds),
        ])
        writer.add("adam.exp_avg", shape: [count], floats: o.firstMoment.constPointer)
        writer.add("adam.exp_avg_sq", shape: [count], floats: o.secondMoment.constPointer)
        if let ema = step.ema { writer.add("ema", shape: [count], floats: ema.constPointer) }
        try writer.write(to: path)
    }

    /// Restores `step` from the file at `path`, checking every tensor's shape and every
    /// key first; returns the training seconds it records.
    static func restore(_ step: TrainingStep, from path: String) throws -> Double {
        let file = try SafeTensorsFile(contentsOf: path)
        let m = file.metadata
        func integer(_ key: String) throws -> Int {
            guard let v = m[key].flatMap({ Int($0) }) else { throw TrainingError("\(path): metadata \(key) is missing") }
            return v
        }
        let words = (m["generator"] ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4 else { throw TrainingError("\(path): metadata generator is missing") }
        let count = step.network.parameters.layout.trainableCount
        for name in ["adam.exp_avg", "adam.exp_avg_sq"] + (step.ema == nil ? [] : ["ema"]) {
            guard file.info(name)?.shape == [count] else { throw TrainingError("\(path): \(name) is missing or misshapen") }
        }
        let (adamStep, epoch, cursor) = (try integer("adam_step"), try integer("epoch"), try integer("cursor"))
        try file.copyFloat32("adam.exp_avg", into: step.optimiser.firstMoment.pointer)
        try file.copyFloat32("adam.exp_avg_sq", into: step.optimiser.secondMoment.pointer)
        if let ema = step.ema { try file.copyFloat32("ema", into: ema.pointer) }
        step.optimiser.step = adamStep
        step.generator.state = (words[0], words[1], words[2], words[3])
        step.restorePosition(epoch: epoch, cursor: cursor)
        return m["training_seconds"].flatMap { Double($0) } ?? 0
    }
}
