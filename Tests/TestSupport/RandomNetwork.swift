import Kernels
import Networks

extension DiffusionTransformer {
    /// A network whose every trainable tensor is random (adaLN and final layers included,
    /// so nothing is trivially zero): N(0, (scale / √fan_in)²) for matrices, N(0, 0.1²) for vectors.
    public static func random(_ config: ModelConfig, seed: UInt64, scale: Float = 1) -> DiffusionTransformer {
        let network = DiffusionTransformer(config: config, seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        for entry in network.parameters.layout.entries where entry.trainable {
            let fanIn = entry.shape.count > 1 ? entry.count / entry.shape[0] : 0
            let std = fanIn > 0 ? scale / Float(fanIn).squareRoot() : 0.1
            generator.fillNormal(network.parameters.storage.pointer + entry.offset, count: entry.count, std: std)
        }
        return network
    }
}

/// A small batch of cells: non-negative "expression", timesteps spread over 0…999, unit noise.
public struct ToyBatch {
    public let x: FloatBuffer
    public let t: FloatBuffer
    public let noise: FloatBuffer
    public let batch: Int

    public init(batch: Int, genes: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.batch = batch
        x = FloatBuffer((0..<(batch * genes)).map { _ in max(0, generator.nextNormal()) })
        t = FloatBuffer((0..<batch).map { Float((37 + 331 * $0) % 1000) })
        noise = .random(batch * genes, generator: &generator)
    }
}
