import Kernels

/// GELU with the tanh approximation (PyTorch `approximate="tanh"`), the DiT MLP's activation:
/// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
public enum GELU {
    static let k0: Float = 0.7978845608028654   // √(2/π)
    static let k1: Float = 0.044715

    /// out ← GELU(x) and, over x itself, slope ← GELU′(x) (what the backward pass needs), for
    /// the elements `span`, on the calling thread (one band of the product that wrote x):
    /// one tanh per element serves both.
    public static func forward(out: FloatPointer, slope x: FloatPointer, span: Range<Int>) {
        VectorMath.map(span, x, into: out, x) { v in
            let v2: VectorMath.Vector = v * v
            let t = VectorMath.tanh(k0 * (v + k1 * v2 * v))
            let value: VectorMath.Vector = 0.5 * v * (1 + t)
            let curve: VectorMath.Vector = 0.5 * v * (1 - t * t) * k0 * (1 + 3 * k1 * v2)
            let slope: VectorMath.Vector = 0.5 * (1 + t) + curve
            return (value, slope)
        }
    }

    /// dx ← dout · GELU′(x), from the slope `forward` left (dx may be dout).
    public static func backward(dx: FloatPointer, dout: ConstFloatPointer, slope: ConstFloatPointer, span: Range<Int>) {
        VectorMath.map(span, dout, slope, into: dx) { g, s in g * s }
    }
}
