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

    let adaLN: AdaLNZero
    // Activations; [B·N, D] unless noted.
    /// w, the per-head subspace projections (query = key = value): the coding-rate probe point.
    let projected: FloatBuffer
    let probabilities: FloatBuffer      // [B, H, N, N]
    let attended: FloatBuffer           // heads concatenated, before to_out
    let attentionOutput: FloatBuffer    // after to_out (the same buffer as `attended` with one head)
    let middle: FloatBuffer             // the residual stream between the two halves
    let sparseResidual: FloatBuffer     // u = z − z Wᵀ inside ISTA
    /// The ISTA output (after ReLU, before the gate): the sparsity probe point.
    let code: FloatBuffer

    init(weights: WhiteBoxBlockTensors, gradients: WhiteBoxBlockTensors, shape: PassShape,
         buffers: ActivationAllocator) {
        self.weights = weights
        self.gradients = gradients
        self.shape = shape
        let tokens = shape.rows * shape.width
        adaLN = AdaLNZero(shape: shape, buffers: buffers)
        projected = buffers.buffer("projected", count: tokens)
        probabilities = buffers.buffer("probabilities", count: shape.attention.probabilityCount)
        attended = buffers.buffer("attended", count: tokens)
        attentionOutput = weights.outputWeight == nil ? attended : buffers.buffer("attentionOutput", count: tokens)
        middle = buffers.buffer("middle", count: tokens)
        sparseResidual = buffers.buffer("sparseResidual", count: tokens)
        code = buffers.buffer("code", count: tokens)
    }

    var probe: BlockProbe {
        BlockProbe(projections: projected.constPointer, projectionStride: shape.width,
                   code: code.constPointer, codeWidth: shape.width, zeroThreshold: 0, probabilities: probabilities.constPointer)
    }

    func forward(out: FloatPointer, x: ConstFloatPointer, siluCondition: ConstFloatPointer, intervention: UnitIntervention?) {
        let (d, rows) = (shape.width, shape.rows)
        let w = weights
        adaLN.forwardModulation(siluCondition: siluCondition, weight: w.modulationWeight, bias: w.modulationBias)

        Linear.forward(y: projected.pointer, x: adaLN.normalize(.attention, x: x), weight: w.projection, bias: nil,
                       rows: rows, inFeatures: d, outFeatures: d)
        SubspaceAttention.forward(out: attended.pointer, probabilities: probabilities.pointer,
                                  w: projected.constPointer, shape: shape.attention)
        if let outputWeight = w.outputWeight {
            Linear.forward(y: attentionOutput.pointer, x: attended.constPointer, weight: outputWeight,
                           bias: w.outputBias, rows: rows, inFeatures: d, outFeatures: d)
        }
        adaLN.addGated(.attention, out: middle.pointer, x: x, f: attentionOutput.constPointer)

        ISTA.forward(out: code.pointer, residual: sparseResidual.pointer, z: adaLN.normalize(.mlp, x: middle.constPointer),
                     dictionary: w.dictionary, rows: rows, width: d)
        intervention?.apply(code.pointer, rows: rows, width: d)
        adaLN.addGated(.mlp, out: out, x: middle.constPointer, f: code.constPointer)
    }

    func backward(dx: FloatPointer, x: ConstFloatPointer,
                  siluCondition: ConstFloatPointer, dSiluCondition: FloatPointer,
                  scratch s: BackwardScratch) {
        let (d, rows) = (shape.width, shape.rows)
        let (w, g) = (weights, gradients)
        let dm = s.modulation.pointer

        // Second half: x_out = middle + gate2 · ISTA(modulate(LN(middle)))
        adaLN.backwardGated(.mlp, df: s.a.pointer, dx: dx, f: code.constPointer, dModulation: dm)
        ISTA.backward(dz: s.b.pointer, dDictionary: g.dictionary, dout: s.a.constPointer, out: code.constPointer,
                      residual: sparseResidual.constPointer, z: adaLN.input(.mlp), dictionary: w.dictionary,
                      preactivation: s.c.pointer, du: s.d.pointer, rows: rows, width: d)
        adaLN.backwardNormalize(.mlp, dx: dx, dout: s.b.constPointer, x: middle.constPointer, dModulation: dm)

        // First half: middle = x + gate1 · to_out(MSSA(modulate(LN(x)) Uᵀ))
        adaLN.backwardGated(.attention, df: s.a.pointer, dx: dx, f: attentionOutput.constPointer, dModulation: dm)
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
                        x: adaLN.input(.attention), weight: w.projection, rows: rows, inFeatures: d, outFeatures: d)
        adaLN.backwardNormalize(.attention, dx: dx, dout: s.d.constPointer, x: x, dModulation: dm)

        adaLN.backwardModulation(dSiluCondition: dSiluCondition, dWeight: g.modulationWeight, dBias: g.modulationBias,
                                 dModulation: s.modulation.constPointer, siluCondition: siluCondition, weight: w.modulationWeight)
    }
}
