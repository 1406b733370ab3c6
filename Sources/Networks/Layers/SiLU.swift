import Foundation
import Kernels

/// SiLU(x) = x · σ(x), used on the timestep MLP and before every adaLN Linear.
public enum SiLU {
    /// out[i] ← x[i] · σ(x[i]) for `count` elements.
    public static func forward(out: FloatPointer, x: ConstFloatPointer, count: Int) {
        Parallel.forEach(count, work: 20) { range in
            for i in range { out[i] = x[i] / (1 + expf(-x[i])) }
        }
    }

    /// dx[i] ← dout[i] · σ(x)(1 + x(1 − σ(x))), written or added (`accumulate`).
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer, x: ConstFloatPointer,
                                count: Int, accumulate: Bool = false) {
        Parallel.forEach(count, work: 20) { range in
            for i in range {
                let s = 1 / (1 + expf(-x[i]))
                let g = dout[i] * s * (1 + x[i] * (1 - s))
                dx[i] = accumulate ? dx[i] + g : g
            }
        }
    }
}
