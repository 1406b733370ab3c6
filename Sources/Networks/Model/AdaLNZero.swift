import Kernels

/// The adaLN-Zero conditioning both blocks share. The condition gives six vectors per cell,
///
///     (shift1, scale1, gate1, shift2, scale2, gate2) = Linear(SiLU(c)),
///
/// and each half of a block — attention, then MSSA's or the DiT's MLP — reads its input
/// through `modulate(LN(x), shift, scale)` and adds its output back through the gate:
///
///     x ← x + gate · f(modulate(LN(x), shift, scale)).
///
/// It owns the activations those steps need for the backward pass, sized for one batch.
final class AdaLNZero {
    enum Half: Int { case attention = 0, mlp = 1 }

    let shape: PassShape
    let modulation: FloatBuffer            // [B, 6D]
    /// modulate(LN(x)) of each half: [B·N, D].
    private let modulated: [FloatBuffer]
    /// Each row's LayerNorm statistics, per half: [B·N].
    private let mean, rstd: [FloatBuffer]

    init(shape: PassShape, buffers: ActivationAllocator) {
        self.shape = shape
        let tokens = shape.rows * shape.width
        modulation = buffers.buffer("modulation", count: shape.batch * 6 * shape.width)
        modulated = (1...2).map { buffers.buffer("modulated\($0)", count: tokens) }
        mean = (1...2).map { buffers.buffer("mean\($0)", count: shape.rows) }
        rstd = (1...2).map { buffers.buffer("rstd\($0)", count: shape.rows) }
    }

    /// The input one half of the block reads, modulate(LN(x)), as `normalize` left it.
    func input(_ half: Half) -> ConstFloatPointer { modulated[half.rawValue].constPointer }

    /// modulation ← Linear(SiLU(c)), for every cell of the batch.
    func forwardModulation(siluCondition: ConstFloatPointer, weight: FloatPointer, bias: FloatPointer) {
        Linear.forward(y: modulation.pointer, x: siluCondition, weight: weight, bias: bias,
                       rows: shape.batch, inFeatures: shape.width, outFeatures: 6 * shape.width)
    }

    /// Writes modulate(LN(x)) for `half` and returns it.
    func normalize(_ half: Half, x: ConstFloatPointer) -> ConstFloatPointer {
        let (shift, scale, _) = parts(modulation.pointer, half)
        let i = half.rawValue
        AdaptiveLayerNorm.forward(out: modulated[i].pointer, mean: mean[i].pointer, rstd: rstd[i].pointer, x: x,
                                  shift: shift, scale: scale, conditionStride: 6 * shape.width,
                                  batch: shape.batch, tokens: shape.tokens, width: shape.width)
        return modulated[i].constPointer
    }

    /// out ← x + gate · f, with the gate of `half`.
    func addGated(_ half: Half, out: FloatPointer, x: ConstFloatPointer, f: ConstFloatPointer) {
        GatedResidual.forward(out: out, x: x, f: f, gate: parts(modulation.pointer, half).gate, conditionStride: 6 * shape.width,
                              batch: shape.batch, tokens: shape.tokens, width: shape.width)
    }

    // MARK: - Backward; `dModulation` [B, 6D] collects the six vectors' gradients

    /// From dx, the gradient of `addGated`'s output: df, and the gate's gradient. dx itself
    /// is the gradient of the residual input x and is left as it is.
    func backwardGated(_ half: Half, df: FloatPointer, dx: ConstFloatPointer, f: ConstFloatPointer, dModulation: FloatPointer) {
        GatedResidual.backward(df: df, dGate: parts(dModulation, half).gate, dx: dx, f: f, gate: parts(modulation.pointer, half).gate,
                               conditionStride: 6 * shape.width, batch: shape.batch, tokens: shape.tokens, width: shape.width)
    }

    /// Adds to dx the gradient of `normalize`'s x from dout, the gradient of its output;
    /// writes the shift's and scale's gradients.
    func backwardNormalize(_ half: Half, dx: FloatPointer, dout: ConstFloatPointer, x: ConstFloatPointer,
                           dModulation: FloatPointer) {
        let (dShift, dScale, _) = parts(dModulation, half)
        let i = half.rawValue
        AdaptiveLayerNorm.backward(dx: dx, dShift: dShift, dScale: dScale, dout: dout, x: x, mean: mean[i].constPointer,
                                   rstd: rstd[i].constPointer, scale: parts(modulation.pointer, half).scale,
                                   conditionStride: 6 * shape.width, batch: shape.batch, tokens: shape.tokens, width: shape.width)
    }

    /// The modulation Linear's gradients, and SiLU(c)'s added to dSiluCondition.
    func backwardModulation(dSiluCondition: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer,
                            dModulation: ConstFloatPointer, siluCondition: ConstFloatPointer, weight: FloatPointer) {
        Linear.backward(dx: dSiluCondition, dWeight: dWeight, dBias: dBias, dy: dModulation, x: siluCondition, weight: weight,
                        rows: shape.batch, inFeatures: shape.width, outFeatures: 6 * shape.width, accumulateInput: true)
    }

    /// The shift, scale and gate of `half` inside [B, 6D] rows at `base`.
    private func parts(_ base: FloatPointer, _ half: Half) -> (shift: FloatPointer, scale: FloatPointer, gate: FloatPointer) {
        let d = shape.width, first = base + 3 * d * half.rawValue
        return (first, first + d, first + 2 * d)
    }
}
