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

    // Activations; [B·N, D] unless noted.
    let modulation: FloatBuffer         // [B, 6D]
    let modulated1: FloatBuffer         // adaLN(x): LayerNorm, then modulate
    let mean1, rstd1, mean2, rstd2: FloatBuffer   // [B·N]: each row's LayerNorm statistics
    /// [B·N, 3D] laid out [q | k | v]; the query slices are the coding-rate probe point.
    let qkv: FloatBuffer
    let probabilities: FloatBuffer      // [B, H, N, N]
    let attended: FloatBuffer
    let attentionOutput: FloatBuffer
    let middle: FloatBuffer
    let modulated2: FloatBuffer
    let hiddenPre: FloatBuffer          // [B·N, hidden] before GELU
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
        modulation = buffers.buffer("modulation", count: shape.batch * 6 * shape.width)
        modulated1 = buffers.buffer("modulated1", count: tokens)
        mean1 = buffers.buffer("mean1", count: shape.rows)
        rstd1 = buffers.buffer("rstd1", count: shape.rows)
        mean2 = buffers.buffer("mean2", count: shape.rows)
        rstd2 = buffers.buffer("rstd2", count: shape.rows)
        qkv = buffers.buffer("qkv", count: 3 * tokens)
        probabilities = buffers.buffer("probabilities", count: shape.attention.probabilityCount)
        attended = buffers.buffer("attended", count: tokens)
        attentionOutput = buffers.buffer("attentionOutput", count: tokens)
        middle = buffers.buffer("middle", count: tokens)
        modulated2 = buffers.buffer("modulated2", count: tokens)
        hiddenPre = buffers.buffer("hiddenPre", count: shape.rows * hidden)
        hiddenActivated = buffers.buffer("hiddenActivated", count: shape.rows * hidden)
        mlpOutput = buffers.buffer("mlpOutput", count: tokens)
    }

    /// The query slices of qkv, and the post-GELU hidden (|h| < threshold counts as zero).
    var probe: BlockProbe {
        BlockProbe(projections: qkv.constPointer, projectionStride: 3 * shape.width,
                   code: hiddenActivated.constPointer, codeWidth: hidden, zeroThreshold: LayerReadout.ditThreshold)
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
        Linear.forward(y: qkv.pointer, x: modulated1.constPointer, weight: w.qkvWeight, bias: w.qkvBias,
                       rows: rows, inFeatures: d, outFeatures: 3 * d)
        SelfAttention.forward(out: attended.pointer, probabilities: probabilities.pointer,
                              qkv: qkv.constPointer, shape: shape.attention)
        Linear.forward(y: attentionOutput.pointer, x: attended.constPointer, weight: w.projWeight,
                       bias: w.projBias, rows: rows, inFeatures: d, outFeatures: d)
        GatedResidual.forward(out: middle.pointer, x: x, f: attentionOutput.constPointer, gate: m.gate1,
                              conditionStride: m.stride, batch: b, tokens: n, width: d)

        AdaptiveLayerNorm.forward(out: modulated2.pointer, mean: mean2.pointer, rstd: rstd2.pointer,
                                  x: middle.constPointer, shift: m.shift2, scale: m.scale2, conditionStride: m.stride,
                                  batch: b, tokens: n, width: d)
        Linear.forward(y: hiddenPre.pointer, x: modulated2.constPointer, weight: w.fc1Weight, bias: w.fc1Bias,
                       rows: rows, inFeatures: d, outFeatures: hidden)
        GELU.forward(out: hiddenActivated.pointer, x: hiddenPre.constPointer, count: rows * hidden)
        Linear.forward(y: mlpOutput.pointer, x: hiddenActivated.constPointer, weight: w.fc2Weight,
                       bias: w.fc2Bias, rows: rows, inFeatures: hidden, outFeatures: d)
        GatedResidual.forward(out: out, x: middle.constPointer, f: mlpOutput.constPointer, gate: m.gate2,
                              conditionStride: m.stride, batch: b, tokens: n, width: d)
    }

    func backward(dx: FloatPointer, x: ConstFloatPointer,
                  siluCondition: ConstFloatPointer, dSiluCondition: FloatPointer,
                  scratch s: BackwardScratch) {
        let (b, n, d, rows) = (shape.batch, shape.tokens, shape.width, shape.rows)
        let (w, g) = (weights, gradients)
        let m = BlockModulation(modulation.pointer, width: d)
        let dm = BlockModulation(s.modulation.pointer, width: d)

        // Second half: x_out = middle + gate2 · MLP(modulate(LN(middle)))
        GatedResidual.backward(df: s.a.pointer, dGate: dm.gate2, dx: dx, f: mlpOutput.constPointer, gate: m.gate2,
                               conditionStride: m.stride, batch: b, tokens: n, width: d)
        Linear.backward(dx: s.wide.pointer, dWeight: g.fc2Weight, dBias: g.fc2Bias, dy: s.a.constPointer,
                        x: hiddenActivated.constPointer, weight: w.fc2Weight,
                        rows: rows, inFeatures: hidden, outFeatures: d)
        GELU.backward(dx: s.wide.pointer, dout: s.wide.constPointer, x: hiddenPre.constPointer, count: rows * hidden)
        Linear.backward(dx: s.b.pointer, dWeight: g.fc1Weight, dBias: g.fc1Bias, dy: s.wide.constPointer,
                        x: modulated2.constPointer, weight: w.fc1Weight,
                        rows: rows, inFeatures: d, outFeatures: hidden)
        AdaptiveLayerNorm.backward(dx: dx, dShift: dm.shift2, dScale: dm.scale2, dout: s.b.constPointer,
                                   x: middle.constPointer, mean: mean2.constPointer, rstd: rstd2.constPointer,
                                   scale: m.scale2, conditionStride: m.stride, batch: b, tokens: n, width: d)

        // First half: middle = x + gate1 · proj(attention(qkv(modulate(LN(x)))))
        GatedResidual.backward(df: s.a.pointer, dGate: dm.gate1, dx: dx, f: attentionOutput.constPointer,
                               gate: m.gate1, conditionStride: m.stride, batch: b, tokens: n, width: d)
        Linear.backward(dx: s.b.pointer, dWeight: g.projWeight, dBias: g.projBias, dy: s.a.constPointer,
                        x: attended.constPointer, weight: w.projWeight, rows: rows, inFeatures: d, outFeatures: d)
        SelfAttention.backward(dqkv: s.wide.pointer, dout: s.b.constPointer, qkv: qkv.constPointer,
                               probabilities: probabilities.constPointer, scratch: s.scores.pointer,
                               shape: shape.attention)
        Linear.backward(dx: s.c.pointer, dWeight: g.qkvWeight, dBias: g.qkvBias, dy: s.wide.constPointer,
                        x: modulated1.constPointer, weight: w.qkvWeight, rows: rows, inFeatures: d, outFeatures: 3 * d)
        AdaptiveLayerNorm.backward(dx: dx, dShift: dm.shift1, dScale: dm.scale1, dout: s.c.constPointer,
                                   x: x, mean: mean1.constPointer, rstd: rstd1.constPointer,
                                   scale: m.scale1, conditionStride: m.stride, batch: b, tokens: n, width: d)

        // adaLN: modulation = Linear(SiLU(c))
        Linear.backward(dx: dSiluCondition, dWeight: g.modulationWeight, dBias: g.modulationBias,
                        dy: s.modulation.constPointer, x: siluCondition, weight: w.modulationWeight,
                        rows: b, inFeatures: d, outFeatures: 6 * d, accumulateInput: true)
    }
}
