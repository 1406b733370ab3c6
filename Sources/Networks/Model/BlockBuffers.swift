import Kernels

/// Sizes shared by every buffer of one forward/backward pass.
struct PassShape {
    let batch: Int
    let tokens: Int
    let width: Int
    let heads: Int

    /// Token rows in the batch: B · N.
    var rows: Int { batch * tokens }
    var attention: AttentionShape { AttentionShape(batch: batch, tokens: tokens, heads: heads, width: width) }
}

/// Hands out activation buffers: a fresh one per request when training (every block's
/// backward pass needs its own), or one buffer per slot for inference, where a block's
/// activations are dead as soon as the next block runs.
final class ActivationAllocator {
    let sharesSlots: Bool
    private var slots: [String: FloatBuffer] = [:]

    init(sharesSlots: Bool) { self.sharesSlots = sharesSlots }

    func buffer(_ slot: String, count: Int) -> FloatBuffer {
        guard sharesSlots else { return FloatBuffer(count: count) }
        if let existing = slots[slot], existing.count == count { return existing }
        let fresh = FloatBuffer(count: count)
        slots[slot] = fresh
        return fresh
    }
}

/// Gradient buffers that one block at a time borrows during the backward pass.
final class BackwardScratch {
    /// [B·N, D] each.
    let a, b, c, d: FloatBuffer
    /// [B·N, wideWidth]: the DiT's 3D-wide qkv gradient and its MLP hidden gradient.
    let wide: FloatBuffer
    /// [B, H, N, N]: score gradients of one layer.
    let scores: FloatBuffer
    /// [B, 6D]: the gradient of one block's adaLN output.
    let modulation: FloatBuffer

    init(shape s: PassShape, wideWidth: Int) {
        let tokenCount = s.rows * s.width
        a = FloatBuffer(count: tokenCount)
        b = FloatBuffer(count: tokenCount)
        c = FloatBuffer(count: tokenCount)
        d = FloatBuffer(count: tokenCount)
        wide = FloatBuffer(count: s.rows * wideWidth)
        scores = FloatBuffer(count: s.attention.probabilityCount)
        modulation = FloatBuffer(count: s.batch * 6 * s.width)
    }
}

/// A transformer block of either architecture: x_out = block(x_in, SiLU(c)).
protocol TransformerBlock: AnyObject {
    /// Where the layer's coding rate and sparsity are read.
    var probe: BlockProbe { get }
    /// out [B·N, D] ← the block applied to x [B·N, D], conditioned on siluCondition [B, D],
    /// with `intervention`'s unit scaled when it is this block's.
    func forward(out: FloatPointer, x: ConstFloatPointer, siluCondition: ConstFloatPointer, intervention: UnitIntervention?)
    /// On entry dx holds the gradient w.r.t. the block's output, on return w.r.t. its input x.
    /// Writes the block's parameter gradients; adds into dSiluCondition [B, D].
    func backward(dx: FloatPointer, x: ConstFloatPointer,
                  siluCondition: ConstFloatPointer, dSiluCondition: FloatPointer,
                  scratch: BackwardScratch)
}
