import Kernels

/// Every buffer one forward and backward pass needs at one batch size, allocated
/// together so that the training step itself allocates nothing. For inference (forward
/// passes only) the blocks share one set of activations and no gradient buffers exist.
final class Activations {
    let shape: PassShape
    let inferenceOnly: Bool
    let blocks: [TransformerBlock]

    // Inputs
    let patches: FloatBuffer            // [B, G′] = [B·N, P]: cells zero-padded to G′ genes
    let timesteps: FloatBuffer          // [B]
    let labelRows: UnsafeMutablePointer<Int32>   // [B, A]: the label-table row of each cell's attribute

    // Conditioning
    let frequencies: FloatBuffer        // [B, 256]
    let timeHidden, timeActivated: FloatBuffer   // [B, D] around the timestep MLP's SiLU
    let condition, siluCondition: FloatBuffer    // c and SiLU(c), [B, D]

    /// The residual stream before block 0, between blocks, and after the last: depth + 1 × [B·N, D].
    let residual: [FloatBuffer]

    // Final layer
    let finalModulation: FloatBuffer    // [B, 2D]
    let finalModulated: FloatBuffer     // [B·N, D]
    let finalMean, finalRstd: FloatBuffer   // [B·N]
    let paddedOutput: FloatBuffer       // [B, G′]
    let output: FloatBuffer             // [B, G] (the padded output itself when G′ = G)

    // Gradients
    let dPaddedOutput: FloatBuffer      // [B, G′]
    let dResidual: FloatBuffer          // [B·N, D]
    let dFinalModulation: FloatBuffer   // [B, 2D]
    let dSiluCondition, dCondition, dTimeActivated, dTimeHidden: FloatBuffer   // [B, D]
    let scratch: BackwardScratch

    init(config c: ModelConfig, batch: Int, parameters: ParameterSet, gradients: ParameterSet, inferenceOnly: Bool) {
        let d = c.hiddenSize
        let shape = PassShape(batch: batch, tokens: c.tokens, width: d, heads: c.heads)
        self.shape = shape
        self.inferenceOnly = inferenceOnly
        let rows = shape.rows
        let allocator = ActivationAllocator(sharesSlots: inferenceOnly)
        blocks = (0..<c.depth).map { i -> TransformerBlock in
            switch c.architecture {
            case .whiteBox:
                return WhiteBoxBlock(weights: WhiteBoxBlockTensors(parameters, block: i),
                                     gradients: WhiteBoxBlockTensors(gradients, block: i), shape: shape,
                                     buffers: allocator)
            case .dit:
                return DiTBlock(weights: DiTBlockTensors(parameters, block: i),
                                gradients: DiTBlockTensors(gradients, block: i), shape: shape, hidden: c.mlpHidden,
                                buffers: allocator)
            }
        }
        // Gradient buffers: none for inference.
        let gradient = { (count: Int) in FloatBuffer(count: inferenceOnly ? 0 : count) }
        patches = FloatBuffer(count: batch * c.paddedWidth)
        timesteps = FloatBuffer(count: batch)
        labelRows = .allocate(capacity: max(batch * c.labelAttributes, 1))
        labelRows.initialize(repeating: 0, count: max(batch * c.labelAttributes, 1))
        frequencies = FloatBuffer(count: batch * TimestepEmbedding.frequencyCount)
        timeHidden = FloatBuffer(count: batch * d)
        timeActivated = FloatBuffer(count: batch * d)
        condition = FloatBuffer(count: batch * d)
        siluCondition = FloatBuffer(count: batch * d)
        // The residual stream: every block's input kept for training, two alternating for inference.
        residual = (0...c.depth).map { k in allocator.buffer("residual\(k % 2)", count: rows * d) }
        finalModulation = FloatBuffer(count: batch * 2 * d)
        finalModulated = FloatBuffer(count: rows * d)
        finalMean = FloatBuffer(count: rows)
        finalRstd = FloatBuffer(count: rows)
        paddedOutput = FloatBuffer(count: batch * c.paddedWidth)
        output = c.paddedWidth == c.inputWidth ? paddedOutput : FloatBuffer(count: batch * c.inputWidth)
        dPaddedOutput = gradient(batch * c.paddedWidth)
        dResidual = gradient(rows * d)
        dFinalModulation = gradient(batch * 2 * d)
        dSiluCondition = gradient(batch * d)
        dCondition = gradient(batch * d)
        dTimeActivated = gradient(batch * d)
        dTimeHidden = gradient(batch * d)
        let wide = c.architecture == .dit ? max(3 * d, c.mlpHidden) : 0
        scratch = BackwardScratch(shape: inferenceOnly ? PassShape(batch: 0, tokens: 0, width: 0, heads: 1) : shape,
                                  wideWidth: wide)
    }

    deinit { labelRows.deallocate() }
}
