import Kernels

/// A white-box (CRATE) block with adaLN conditioning:
///
///     x ← x + gate1 · to_out(MSSA(modulate(LN(x), shift1, scale1) · Uᵀ))
///     x ← x + gate2 · ISTA(modulate(LN(x), shift2, scale2))
///
/// It owns the activations its backward pass needs, sized for one batch.
final class WhiteBoxBlock: TransformerBlock {
    let weights: WhiteBoxBlockTensors
    let gradients: WhiteBoxBlockTensors
    let shape: PassShape

    // Activations; [B·N, D] unless noted.
    let modulation: FloatBuffer         // [B, 6D]
    let modulated1: FloatBuffer         // adaLN(x): LayerNorm, then modulate
    let mean1, rstd1, mean2, rstd2: FloatBuffer   // [B·N]: each row's LayerNorm statistics
    /// w, the per-head subspace projections (query = key = value): the coding-rate probe point.
    let projected: FloatBuffer
    let probabilities: FloatBuffer      // [B, H, N, N]
    let attended: FloatBuffer           // heads concatenated, before to_out
    let attentionOutput: FloatBuffer    // after to_out (the same buffer as `attended` with one head)
    let middle: FloatBuffer             // the residual stream between the two halves
    let modulated2: FloatBuffer
    let sparseResidual: FloatBuffer     // u = z − z Wᵀ inside ISTA
    /// The ISTA output (after ReLU, before the gate): the sparsity probe point.
    let code: FloatBuffer

    init(weights: WhiteBoxBlockTensors, gradients: WhiteBoxBlockTensors, shape: PassShape,
         buffers: ActivationAllocator) {
        self.weights = weights
        self.gradients = gradients
        self.shape = shape
        let tokens = shape.rows * shape.width
        modulation = buffers.buffer("modulation", count: shape.batch * 6 * shape.width)
        modulated1 = buffers.buffer("modulated1", count: tokens)
        mean1 = buffers.buffer("mean1", count: shape.rows)
        rstd1 = buffers.buffer("rstd1", count: shape.rows)
        mean2 = buffers.buffer("mean2", count: shape.rows)
        rstd2 = buffers.buffer("rstd2", count: shape.rows)
        projected = buffers.buffer("projected", count: tokens)
        probabilities = buffers.buffer("probabilities", count: shape.attention.probabilityCount)
        attended = buffers.buffer("attended", count: tokens)
        attentionOutput = weights.outputWeight == nil ? attended : buffers.buffer("attentionOutput", count: tokens)
        middle = buffers.buffer("middle", count: tokens)
        modulated2 = buffers.buffer("modulated2", count: tokens)
        sparseResidual = buffers.buffer("sparseResidual", count: tokens)
        code = buffers.buffer("code", count: tokens)
    }

    var probe: BlockProbe {
        BlockProbe(projections: projected.constPointer, projectionStride: shape.width,
                   code: code.constPointer, codeWidth: shape.width, zeroThreshold: 0)
    }

    func forward(out: FloatPointer, x: ConstFloatPointer, siluCondition: ConstFloatPointer) {
        let (b, n, d, rows) = (shape.batch, shape.tokens, shape.width, shape.rows)
        let w = weights
        Linear.forward(y: modulation.pointer, x: siluCondition, weight: w.modulationWeight,
                       bias: w.modulationBias, rows: b, inFeatures: d, outFeatures: 6 * d)
        let m = BlockModulation(modulation.pointer, width: d)

        AdaptiveLayerNorm.forward(out: modulated1.pointer, mean: mean1.pointer, rstd: rstd1.pointer, x: x,
                                  shift: m.shift1, scale: m.scale1, conditionStride: m.stride,
                                  batch: b, tokens: n, width: d)
        Linear.forward(y: projected.pointer, x: modulated1.constPointer, weight: w.projection, bias: nil,
                       rows: rows, inFeatures: d, outFeatures: d)
        SubspaceAttention.forward(out: attended.pointer, probabilities: probabilities.pointer,
                                  w: projected.constPointer, shape: shape.attention)
        if let outputWeight = w.outputWeight {
            Linear.forward(y: attentionOutput.pointer, x: attended.constPointer, weight: outputWeight,
                           bias: w.outputBias, rows: rows, inFeatures: d, outFeatures: d)
        }
        GatedResidual.forward(out: middle.pointer, x: x, f: attentionOutput.constPointer, gate: m.gate1,
                              conditionStride: m.stride, batch: b, tokens: n, width: d)

        AdaptiveLayerNorm.forward(out: modulated2.pointer, mean: mean2.pointer, rstd: rstd2.pointer,
                                  x: middle.constPointer, shift: m.shift2, scale: m.scale2, conditionStride: m.stride,
                                  batch: b, tokens: n, width: d)
        ISTA.forward(out: code.pointer, residual: sparseResidual.pointer, z: modulated2.constPointer,
                     dictionary: w.dictionary, rows: rows, width: d)
        GatedResidual.forward(out: out, x: middle.constPointer, f: code.constPointer, gate: m.gate2,
                              conditionStride: m.stride, batch: b, tokens: n, width: d)
    }

    func backward(dx: FloatPointer, x: ConstFloatPointer,
                  siluCondition: ConstFloatPointer, dSiluCondition: FloatPointer,
                  scratch s: BackwardScratch) {
        let (b, n, d, rows) = (shape.batch, shape.tokens, shape.width, shape.rows)
        let (w, g) = (weights, gradients)
        let m = BlockModulation(modulation.pointer, width: d)
        let dm = BlockModulation(s.modulation.pointer, width: d)

        // Second half: x_out = middle + gate2 · ISTA(modulate(LN(middle)))
        GatedResidual.backward(df: s.a.pointer, dGate: dm.gate2, dx: dx, f: code.constPointer, gate: m.gate2,
                               conditionStride: m.stride, batch: b, tokens: n, width: d)
        ISTA.backward(dz: s.b.pointer, dDictionary: g.dictionary, dout: s.a.constPointer, out: code.constPointer,
                      residual: sparseResidual.constPointer, z: modulated2.constPointer, dictionary: w.dictionary,
                      preactivation: s.c.pointer, du: s.d.pointer, rows: rows, width: d)
        AdaptiveLayerNorm.backward(dx: dx, dShift: dm.shift2, dScale: dm.scale2, dout: s.b.constPointer,
                                   x: middle.constPointer, mean: mean2.constPointer, rstd: rstd2.constPointer,
                                   scale: m.scale2, conditionStride: m.stride, batch: b, tokens: n, width: d)

        // First half: middle = x + gate1 · to_out(MSSA(modulate(LN(x)) Uᵀ))
        GatedResidual.backward(df: s.a.pointer, dGate: dm.gate1, dx: dx, f: attentionOutput.constPointer,
                               gate: m.gate1, conditionStride: m.stride, batch: b, tokens: n, width: d)
        var dAttended = s.a
        if let outputWeight = w.outputWeight {
            Linear.backward(dx: s.b.pointer, dWeight: g.outputWeight!, dBias: g.outputBias, dy: s.a.constPointer,
                            x: attended.constPointer, weight: outputWeight, rows: rows, inFeatures: d, outFeatures: d)
            dAttended = s.b
        }
        SubspaceAttention.backward(dw: s.c.pointer, dout: dAttended.constPointer, w: projected.constPointer,
                                   probabilities: probabilities.constPointer, scratch: s.scores.pointer,
                                   shape: shape.attention)
        Linear.backward(dx: s.d.pointer, dWeight: g.projection, dBias: nil, dy: s.c.constPointer,
                        x: modulated1.constPointer, weight: w.projection, rows: rows, inFeatures: d, outFeatures: d)
        AdaptiveLayerNorm.backward(dx: dx, dShift: dm.shift1, dScale: dm.scale1, dout: s.d.constPointer,
                                   x: x, mean: mean1.constPointer, rstd: rstd1.constPointer,
                                   scale: m.scale1, conditionStride: m.stride, batch: b, tokens: n, width: d)

        // adaLN: modulation = Linear(SiLU(c))
        Linear.backward(dx: dSiluCondition, dWeight: g.modulationWeight, dBias: g.modulationBias,
                        dy: s.modulation.constPointer, x: siluCondition, weight: w.modulationWeight,
                        rows: b, inFeatures: d, outFeatures: 6 * d, accumulateInput: true)
    }
}
