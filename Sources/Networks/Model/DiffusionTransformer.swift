import Kernels

/// The noise-prediction network ε̂(x_t, t[, y]) of either architecture, with its
/// weights, their gradients, and the activations of the latest forward pass.
///
/// `forward` then `backward` computes exact gradients of any scalar loss whose
/// gradient w.r.t. the output is given. Buffers are allocated once per batch
/// size; a training step at a fixed batch size allocates nothing. Both passes may
/// run inside a `Parallel.team` (every thread calling them), after `reserve(batch:)`.
public final class DiffusionTransformer {
    public let config: ModelConfig
    public let parameters: ParameterSet
    /// Gradients of the last `backward`, in the same layout (`pos_embed` stays zero).
    public let gradients: ParameterSet
    private var activations: Activations?
    var currentActivations: Activations? { activations }
    /// Forward passes only (sampling, `wbdit forward`): the blocks share one set of
    /// activations and no gradient buffers are kept, so memory does not grow with depth.
    /// `backward` and `readouts` need a training network.
    public var inferenceOnly = false
    /// A unit scaled in every forward pass (nil: none); `problem(for:)` checks it fits.
    public var intervention: UnitIntervention? {
        didSet { precondition(intervention?.problem(for: config) == nil, "intervention: \(intervention!.problem(for: config)!)") }
    }

    /// A network with the reference initialisation (its output is exactly zero).
    public convenience init(config: ModelConfig, seed: UInt64) {
        self.init(config: config)
        var generator = SeededGenerator(seed: seed)
        Initialisation.reset(parameters, config: config, generator: &generator)
    }

    /// A network whose parameters are all zero, to be filled by the caller (a checkpoint).
    public init(config: ModelConfig) {
        self.config = config
        let layout = ParameterLayout(config: config)
        parameters = ParameterSet(layout: layout)
        gradients = ParameterSet(layout: layout)
    }

    /// Allocates every buffer for passes of `batch` cells (again only when the size changes).
    /// Call it before running passes inside a `Parallel.team`, where nothing may allocate.
    public func reserve(batch: Int) {
        _ = prepare(batch: batch)
    }

    private func prepare(batch: Int) -> Activations {
        if let a = activations, a.shape.batch == batch, a.inferenceOnly == inferenceOnly { return a }
        precondition(!Parallel.isInTeam, "reserve(batch: \(batch)) before running inside a team")
        let a = Activations(config: config, batch: batch, parameters: parameters, gradients: gradients,
                            inferenceOnly: inferenceOnly)
        activations = a
        return a
    }

    // MARK: - Forward

    /// Predicts the noise in `x` [batch, G] at timesteps `t` [batch] (integers 0…999 stored as
    /// floats), with `labels` [batch, A] for a conditional model: each cell's class in each of
    /// its A label attributes, the attribute's class count meaning "no label" (nil: no label
    /// in any). Returns the prediction [batch, G], valid until the next call.
    @discardableResult
    public func forward(x: ConstFloatPointer, t: ConstFloatPointer, labels: UnsafePointer<Int32>? = nil,
                        batch: Int) -> ConstFloatPointer {
        let a = prepare(batch: batch)
        let c = config
        let (d, n, p, rows) = (c.hiddenSize, c.tokens, c.patchSize, a.shape.rows)
        let e = EmbeddingTensors(parameters)

        // The cells' tokens and the timesteps' conditioning do not depend on each other until
        // the blocks, so their first steps run side by side: serial work, and products too
        // small to split, on the first rank for the one and on the second for the other.
        // Cells → tokens: pad the gene axis with zeros; [B, G′] is [B·N, P] row-major.
        let patches = a.patches.pointer
        Parallel.single(then: .nowait) { padGenes(into: patches, from: x, batch: batch) }
        Parallel.single(on: 1) {
            a.timesteps.pointer.update(from: t, count: batch)
            TimestepEmbedding.forward(out: a.frequencies.pointer, t: t, batch: batch)
        }
        let x0 = a.residual[0].pointer
        Linear.forward(y: x0, x: patches, weight: e.patchWeight, bias: e.patchBias,
                       rows: rows, inFeatures: p, outFeatures: d, then: .nowait)
        // Conditioning: c = MLP(e(t)) [+ label embedding]
        Linear.forward(y: a.timeHidden.pointer, x: a.frequencies.constPointer, weight: e.timeWeight1,
                       bias: e.timeBias1, rows: batch, inFeatures: TimestepEmbedding.frequencyCount, outFeatures: d,
                       soloRank: 1)
        Parallel.forEach(rows, work: d, then: .nowait) { range in
            for r in range {
                let row = x0 + r * d, position = e.position + (r % n) * d
                for i in 0..<d { row[i] += position[i] }
            }
        }
        SiLU.forward(out: a.timeActivated.pointer, x: a.timeHidden.constPointer, count: batch * d)
        Linear.forward(y: a.condition.pointer, x: a.timeActivated.constPointer, weight: e.timeWeight2,
                       bias: e.timeBias2, rows: batch, inFeatures: d, outFeatures: d)
        if let table = e.labelTable {
            Parallel.single {
                let offsets = c.labelTableOffsets, nulls = c.nullLabels, attributes = offsets.count
                for b in 0..<batch {
                    for k in 0..<attributes {
                        a.labelRows[b * attributes + k] = Int32(offsets[k]) + (labels?[b * attributes + k] ?? nulls[k])
                    }
                }
                LabelEmbedding.forward(c: a.condition.pointer, rows: a.labelRows, attributes: attributes, table: table,
                                       batch: batch, width: d)
            }
        }
        SiLU.forward(out: a.siluCondition.pointer, x: a.condition.constPointer, count: batch * d)

        for i in 0..<c.depth {
            a.blocks[i].forward(out: a.residual[i + 1].pointer, x: a.residual[i].constPointer,
                          siluCondition: a.siluCondition.constPointer, intervention: intervention?.layer == i ? intervention : nil)
        }

        // Final layer: Linear(modulate(LN(x), shift, scale)) → [B·N, P] = [B, G′]
        Linear.forward(y: a.finalModulation.pointer, x: a.siluCondition.constPointer,
                       weight: e.finalModulationWeight, bias: e.finalModulationBias,
                       rows: batch, inFeatures: d, outFeatures: 2 * d)
        AdaptiveLayerNorm.forward(out: a.finalModulated.pointer, mean: a.finalMean.pointer, rstd: a.finalRstd.pointer,
                                  x: a.residual[c.depth].constPointer, shift: a.finalModulation.pointer,
                                  scale: a.finalModulation.pointer + d, conditionStride: 2 * d,
                                  batch: batch, tokens: n, width: d)
        Linear.forward(y: a.paddedOutput.pointer, x: a.finalModulated.constPointer,
                       weight: e.finalWeight, bias: e.finalBias, rows: rows, inFeatures: d, outFeatures: p)
        if a.output !== a.paddedOutput {
            Parallel.single {
                for b in 0..<batch {
                    (a.output.pointer + b * c.inputWidth).update(from: a.paddedOutput.pointer + b * c.paddedWidth,
                                                            count: c.inputWidth)
                }
            }
        }
        return a.output.constPointer
    }

    // MARK: - Backward

    /// Writes the gradient of every trainable tensor into `gradients`, given the gradient
    /// of the loss w.r.t. the last forward pass's output, `dOutput` [batch, G].
    public func backward(dOutput: ConstFloatPointer) {
        guard let a = activations else { preconditionFailure("backward before forward") }
        precondition(intervention == nil, "backward of a network under an intervention")
        precondition(!a.inferenceOnly, "backward on an inference-only network")
        let c = config
        let batch = a.shape.batch
        let (d, n, p, rows) = (c.hiddenSize, c.tokens, c.patchSize, a.shape.rows)
        let (e, g) = (EmbeddingTensors(parameters), EmbeddingTensors(gradients))
        let s = a.scratch

        let dY = a.dPaddedOutput.pointer
        Parallel.single {
            padGenes(into: dY, from: dOutput, batch: batch)
            a.dResidual.zero()
        }

        // Final layer
        Linear.backward(dx: s.a.pointer, dWeight: g.finalWeight, dBias: g.finalBias, dy: dY,
                        x: a.finalModulated.constPointer, weight: e.finalWeight,
                        rows: rows, inFeatures: d, outFeatures: p)
        AdaptiveLayerNorm.backward(dx: a.dResidual.pointer, dShift: a.dFinalModulation.pointer,
                                   dScale: a.dFinalModulation.pointer + d, dout: s.a.constPointer,
                                   x: a.residual[c.depth].constPointer, mean: a.finalMean.constPointer,
                                   rstd: a.finalRstd.constPointer, scale: a.finalModulation.pointer + d,
                                   conditionStride: 2 * d, batch: batch, tokens: n, width: d)
        Linear.backward(dx: a.dSiluCondition.pointer, dWeight: g.finalModulationWeight,
                        dBias: g.finalModulationBias, dy: a.dFinalModulation.constPointer,
                        x: a.siluCondition.constPointer, weight: e.finalModulationWeight,
                        rows: batch, inFeatures: d, outFeatures: 2 * d)

        for i in stride(from: c.depth - 1, through: 0, by: -1) {
            a.blocks[i].backward(dx: a.dResidual.pointer, x: a.residual[i].constPointer,
                                 siluCondition: a.siluCondition.constPointer,
                                 dSiluCondition: a.dSiluCondition.pointer, scratch: s)
        }

        // Patch embedding (pos_embed is fixed: no gradient)
        Linear.backward(dx: nil, dWeight: g.patchWeight, dBias: g.patchBias, dy: a.dResidual.constPointer,
                        x: a.patches.constPointer, weight: e.patchWeight, rows: rows, inFeatures: p, outFeatures: d)

        // Conditioning
        SiLU.backward(dx: a.dCondition.pointer, dout: a.dSiluCondition.constPointer,
                      x: a.condition.constPointer, count: batch * d)
        if let dTable = g.labelTable {
            Parallel.single {
                LabelEmbedding.backward(dTable: dTable, dc: a.dCondition.constPointer, rows: a.labelRows,
                                        attributes: c.labelAttributes, batch: batch, tableRows: c.labelTableRows, width: d)
            }
        }
        Linear.backward(dx: a.dTimeActivated.pointer, dWeight: g.timeWeight2, dBias: g.timeBias2,
                        dy: a.dCondition.constPointer, x: a.timeActivated.constPointer, weight: e.timeWeight2,
                        rows: batch, inFeatures: d, outFeatures: d)
        SiLU.backward(dx: a.dTimeHidden.pointer, dout: a.dTimeActivated.constPointer,
                      x: a.timeHidden.constPointer, count: batch * d)
        Linear.backward(dx: nil, dWeight: g.timeWeight1, dBias: g.timeBias1, dy: a.dTimeHidden.constPointer,
                        x: a.frequencies.constPointer, weight: e.timeWeight1,
                        rows: batch, inFeatures: TimestepEmbedding.frequencyCount, outFeatures: d)
    }

    /// Copies `batch` rows of G genes into rows of G′ (the genes padded to whole patches),
    /// the padding zero: [B, G] → [B, G′], which is [B·N, P] row-major.
    private func padGenes(into padded: FloatPointer, from rows: ConstFloatPointer, batch: Int) {
        let c = config
        for b in 0..<batch {
            let row = padded + b * c.paddedWidth
            row.update(from: rows + b * c.inputWidth, count: c.inputWidth)
            (row + c.inputWidth).update(repeating: 0, count: c.paddedWidth - c.inputWidth)
        }
    }
}
