import Foundation
import Kernels

/// GELU with the tanh approximation (PyTorch `approximate="tanh"`), the DiT MLP's activation:
/// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
public enum GELU {
    static let k0: Float = 0.7978845608028654   // √(2/π)
    static let k1: Float = 0.044715

    public static func forward(out: FloatPointer, x: ConstFloatPointer, count: Int) {
        Parallel.forEach(count, work: 20) { range in
            for i in range {
                let v = x[i]
                out[i] = 0.5 * v * (1 + tanhf(k0 * (v + k1 * v * v * v)))
            }
        }
    }

    /// dx[i] ← dout[i] · GELU′(x[i]) (written).
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer, x: ConstFloatPointer,
                                count: Int) {
        Parallel.forEach(count, work: 20) { range in
            for i in range {
                let v = x[i]
                let t = tanhf(k0 * (v + k1 * v * v * v))
                let derivative = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k0 * (1 + 3 * k1 * v * v)
                dx[i] = dout[i] * derivative
            }
        }
    }
}
