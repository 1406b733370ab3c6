import Kernels

/// GELU with the tanh approximation (PyTorch `approximate="tanh"`), the DiT MLP's activation:
/// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
public enum GELU {
    static let k0: Float = 0.7978845608028654   // √(2/π)
    static let k1: Float = 0.044715

    public static func forward(out: FloatPointer, x: ConstFloatPointer, count: Int) {
        VectorMath.map(count, x, into: out, value)
    }

    /// The same for the elements `span`, on the calling thread (one band of the product
    /// that wrote x).
    public static func forward(out: FloatPointer, x: ConstFloatPointer, span: Range<Int>) {
        VectorMath.mapOnCurrentThread(span, x, into: out, value)
    }

    /// dx[i] ← dout[i] · GELU′(x[i]) (written; dx may be dout).
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer, x: ConstFloatPointer, count: Int) {
        VectorMath.map(count, x, dout, into: dx, gradient)
    }

    /// The same for the elements `span`, on the calling thread (one band of the product
    /// that wrote dout).
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer, x: ConstFloatPointer, span: Range<Int>) {
        VectorMath.mapOnCurrentThread(span, x, dout, into: dx, gradient)
    }

    @inline(__always)
    static func value(_ v: VectorMath.Vector) -> VectorMath.Vector {
        let inner: VectorMath.Vector = k0 * (v + k1 * v * v * v)
        return 0.5 * v * (1 + VectorMath.tanh(inner))
    }

    /// g · GELU′(v).
    @inline(__always)
    static func gradient(_ v: VectorMath.Vector, _ g: VectorMath.Vector) -> VectorMath.Vector {
        let v2: VectorMath.Vector = v * v
        let t = VectorMath.tanh(k0 * (v + k1 * v2 * v))
        let slope: VectorMath.Vector = 0.5 * v * (1 - t * t) * k0 * (1 + 3 * k1 * v2)
        return g * (0.5 * (1 + t) + slope)
    }
}
