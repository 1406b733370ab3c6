import Kernels
import Networks

/// Anything that predicts the noise in x_t: the network, or an exact oracle in tests.
public protocol NoisePredictor: AnyObject {
    /// Values per cell: the network's input width.
    var inputWidth: Int { get }
    /// ε̂ for `batch` cells x [batch, inputWidth] at timesteps t [batch] (labels may be nil);
    /// the result is valid until the next call.
    func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?,
                      batch: Int) -> ConstFloatPointer
}

extension DiffusionTransformer: NoisePredictor {
    public var inputWidth: Int { config.inputWidth }

    /// The whole pass runs as one team job, as a training step does: the pool's threads
    /// start once per pass rather than once per loop in it, with the same results.
    public func predictNoise(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>?,
                             batch: Int) -> ConstFloatPointer {
        if Parallel.isInTeam { return forward(x: x, t: t, labels: labels, batch: batch) }
        reserve(batch: batch)
        var output: ConstFloatPointer?
        Parallel.team { rank in
            let prediction = self.forward(x: x, t: t, labels: labels, batch: batch)
            if rank == 0 { output = prediction }
        }
        return output!
    }
}
