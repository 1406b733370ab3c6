import Kernels
import Networks

/// Anything that predicts the noise in x_t: the network, or an exact oracle in tests.
public protocol NoisePredictor: AnyObject {
    /// Genes per cell.
    var genes: Int { get }
    /// ε̂ for `batch` cells x [batch, genes] at timesteps t [batch] (labels may be nil);
    /// the result is valid until the next call.
    func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?,
                      batch: Int) -> ConstFloatPointer
}

extension DiffusionTransformer: NoisePredictor {
    public var genes: Int { config.genes }

    public func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?,
                             batch: Int) -> ConstFloatPointer {
        forward(x: x, t: t, labels: labels, batch: batch)
    }
}
