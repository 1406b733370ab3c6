import Kernels

/// A DiT block with adaLN-Zero conditioning:
///
///     x ← x + gate1 · proj(attention(qkv(modulate(LN(x), shift1, scale1))))
///     x ← x + gate2 · fc2(GELU(fc1(modulate(LN(x), shift2, scale2))))
final class DiTBlock: TransformerBlock {
    let weights: DiTBlockTensors
    let gradients: DiTBlockTensors
    let shape: PassShape
    let hidden: Int

    let adaLN: AdaLNZero
    // Activations; [B·N, D] unless noted.
    /// [B·N, 3D] laid out [q | k | v]; the query slices are the coding-rate probe point.
    let qkv: FloatBuffer
    let probabilities: FloatBuffer      // [B, H, N, N]
    let attended: FloatBuffer
    let attentionOutput: FloatBuffer
    let middle: FloatBuffer
    /// [B·N, hidden]: fc1's output, replaced band by band by GELU′ of it as GELU reads it.
    let hiddenSlope: FloatBuffer
    /// [B·N, hidden] after GELU: the sparsity probe point.
    let hiddenActivated: FloatBuffer
    let mlpOutput: FloatBuffer

    init(weights: DiTBlockTensors, gradients: DiTBlockTensors, shape: PassShape, hidden: Int,
         buffers: ActivationAllocator) {
        self.weights = weights
        self.gradients = gradients
        self.shape = shape
        self.hidden = hidden
        let tokens = shape.rows * shape.width
        adaLN = AdaLNZero(shape: shape, buffers: buffers)
        qkv = buffers.buffer("qkv", count: 3 * tokens)
        probabilities = buffers.buffer("probabilities", count: shape.attention.probabilityCount)
        attended = buffers.buffer("attended", count: tokens)
        attentionOutput = buffers.buffer("attentionOutput", count: tokens)
        middle = buffers.buffer("middle", count: tokens)
        hiddenSlope = buffers.buffer("hiddenSlope", count: shape.rows * hidden)
        hiddenActivated = buffers.buffer("hiddenActivated", count: shape.rows * hidden)
        mlpOutput = buffers.buffer("mlpOutput", count: tokens)
    }

    /// The query slices of qkv, and the post-GELU hidden (|h| < threshold counts as zero).
    var probe: BlockProbe {
        BlockProbe(projections: qkv.constPointer, projectionStride: 3 * shape.width,
                   code: hiddenActivated.constPointer, codeWidth: hidden, zeroThreshold: LayerReadout.ditThreshold,
                   probabilities: probabilities.constPointer)
    }

    func forward(out: FloatPointer, x: ConstFloatPointer, siluCondition: ConstFloatPointer, intervention: UnitIntervention?) {
        let (d, rows) = (shape.width, shape.rows)
        let w = weights
        adaLN.forwardModulation(siluCondition: siluCondition, weight: w.modulationWeight, bias: w.modulationBias)

        Linear.forward(y: qkv.pointer, x: adaLN.normalize(.attention, x: x), weight: w.qkvWeight, bias: w.qkvBias,
                       rows: rows, inFeatures: d, outFeatures: 3 * d)
        SelfAttention.forward(out: attended.pointer, probabilities: probabilities.pointer,
                              qkv: qkv.constPointer, shape: shape.attention)
        Linear.forward(y: attentionOutput.pointer, x: attended.constPointer, weight: w.projWeight,
                       bias: w.projBias, rows: rows, inFeatures: d, outFeatures: d)
        adaLN.addGated(.attention, out: middle.pointer, x: x, f: attentionOutput.constPointer)

        let (slope, activated) = (hiddenSlope.pointer, hiddenActivated.pointer)
        Linear.forward(y: slope, x: adaLN.normalize(.mlp, x: middle.constPointer), weight: w.fc1Weight,
                       bias: w.fc1Bias, rows: rows, inFeatures: d, outFeatures: hidden,
                       finish: { band in
                           band.forEachRowSpan(ldc: hidden) { GELU.forward(out: activated, slope: slope, span: $0) }
                       })
        intervention?.apply(activated, rows: rows, width: hidden)
        Linear.forward(y: mlpOutput.pointer, x: hiddenActivated.constPointer, weight: w.fc2Weight,
                       bias: w.fc2Bias, rows: rows, inFeatures: hidden, outFeatures: d)
        adaLN.addGated(.mlp, out: out, x: middle.constPointer, f: mlpOutput.constPointer)
    }

    func backward(dx: FloatPointer, x: ConstFloatPointer,
                  siluCondition: ConstFloatPointer, dSiluCondition: FloatPointer,
                  scratch s: BackwardScratch) {
        let (d, rows) = (shape.width, shape.rows)
        let (w, g) = (weights, gradients)
        let dm = s.modulation.pointer

        // Second half: x_out = middle + gate2 · MLP(modulate(LN(middle)))
        adaLN.backwardGated(.mlp, df: s.a.pointer, dx: dx, f: mlpOutput.constPointer, dModulation: dm)
        let (dHidden, slope) = (s.wide.pointer, hiddenSlope.constPointer)
        Linear.backward(dx: dHidden, dWeight: g.fc2Weight, dBias: g.fc2Bias, dy: s.a.constPointer,
                        x: hiddenActivated.constPointer, weight: w.fc2Weight,
                        rows: rows, inFeatures: hidden, outFeatures: d,
                        finishInputGradient: { band in
                            band.forEachRowSpan(ldc: hidden) { GELU.backward(dx: dHidden, dout: dHidden, slope: slope, span: $0) }
                        })
        Linear.backward(dx: s.b.pointer, dWeight: g.fc1Weight, dBias: g.fc1Bias, dy: s.wide.constPointer,
                        x: adaLN.input(.mlp), weight: w.fc1Weight,
                        rows: rows, inFeatures: d, outFeatures: hidden)
        adaLN.backwardNormalize(.mlp, dx: dx, dout: s.b.constPointer, x: middle.constPointer, dModulation: dm)

        // First half: middle = x + gate1 · proj(attention(qkv(modulate(LN(x)))))
        adaLN.backwardGated(.attention, df: s.a.pointer, dx: dx, f: attentionOutput.constPointer, dModulation: dm)
        Linear.backward(dx: s.b.pointer, dWeight: g.projWeight, dBias: g.projBias, dy: s.a.constPointer,
                        x: attended.constPointer, weight: w.projWeight, rows: rows, inFeatures: d, outFeatures: d)
        SelfAttention.backward(dqkv: s.wide.pointer, dout: s.b.constPointer, qkv: qkv.constPointer,
                               probabilities: probabilities.constPointer, scratch: s.scores.pointer,
                               shape: shape.attention)
        Linear.backward(dx: s.c.pointer, dWeight: g.qkvWeight, dBias: g.qkvBias, dy: s.wide.constPointer,
                        x: adaLN.input(.attention), weight: w.qkvWeight, rows: rows, inFeatures: d, outFeatures: 3 * d)
        adaLN.backwardNormalize(.attention, dx: dx, dout: s.c.constPointer, x: x, dModulation: dm)

        adaLN.backwardModulation(dSiluCondition: dSiluCondition, dWeight: g.modulationWeight, dBias: g.modulationBias,
                                 dModulation: s.modulation.constPointer, siluCondition: siluCondition, weight: w.modulationWeight)
    }
}
