import CellData
import Kernels
import Networks

/// One diffusion training step over fixed buffers, run by every thread of the pool
/// together (`Parallel.team`), allocating nothing:
///
///     x_0 ← the next B cells of this epoch's order;  t ~ U{1…999} (or ∝ t^(K−1));  ε ~ N(0, I)
///     x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε;   loss = mean w_t (f(x_t, t) − y)²
///     (y = ε, or v with velocity prediction; w_t = 1, or min-SNR-γ weights)
///     backward; optional gradient-norm clipping; AdamW; optional EMA of the weights
///
/// Its products run at the run's precision (`ProductPrecision`: Float32, or BF16 operands
/// with Float32 sums); everything else, weights and optimiser state included, is Float32.
///
/// Its state — weights, moments, generator, epoch and position — is everything a
/// checkpoint must hold for a resumed run to continue bit for bit.
final class TrainingStep {
    let network: DiffusionTransformer
    let optimiser: AdamW
    /// EMA of the trainable weights, when enabled.
    let ema: FloatBuffer?
    let config: TrainingConfig

    // Data and the position in the epoch's order
    private let cells: TrainingCells
    private(set) var epoch = 0
    private(set) var cursor = 0
    var generator: SeededGenerator

    // Per-step buffers
    private let x0, noise, noisy, dOutput: FloatBuffer   // [B, G]
    /// What the network is fitted to: ε itself (the same buffer as `noise`), or v.
    private let target: FloatBuffer                       // [B, G]
    private let timesteps: FloatBuffer                    // [B]
    /// Per-cell loss weights (min-SNR), or nil when every cell counts alike.
    private let lossWeights: FloatBuffer?
    private let weighting: MinSNRWeighting?
    private let timestepSampling: TimestepSampling
    /// Conditional runs: each training cell's class in each label attribute [cells, A], and
    /// the batch's [B, A] after dropout.
    private let cellLabels: [Int32]?
    private let batchLabels: UnsafeMutablePointer<Int32>
    private let nullLabels: [Int32]
    private let partialSums: UnsafeMutablePointer<Double>
    /// The first B training cells, the fixed batch layers are measured on.
    private var probe: [Float]?

    // Results of the last step
    private(set) var loss = 0.0
    private(set) var gradientNorm = 0.0
    private(set) var learningRate = 0.0

    /// The closure the pool runs; built once so that running it allocates nothing.
    private(set) var teamJob: ((Int) -> Void)!

    convenience init(config: TrainingConfig, cells: CellMatrix, labels: [Int32]? = nil, network: DiffusionTransformer) {
        self.init(config: config, cells: InMemoryTrainingCells(cells, seed: config.seed), labels: labels, network: network)
    }

    init(config: TrainingConfig, cells: TrainingCells, labels: [Int32]? = nil, network: DiffusionTransformer) {
        precondition((labels == nil) == (config.model.labelClasses == nil), "TrainingStep: labels for a conditional model only")
        self.config = config
        cellLabels = labels
        nullLabels = config.model.nullLabels
        batchLabels = .allocate(capacity: config.batch * max(config.model.labelAttributes, 1))
        self.network = network
        let b = config.batch, g = config.model.inputWidth
        optimiser = AdamW(parameterCount: network.parameters.layout.trainableCount, settings: config.optimiser)
        ema = config.emaDecay == nil ? nil : FloatBuffer(count: network.parameters.layout.trainableCount)
        if let ema { ema.pointer.update(from: network.parameters.trainable, count: ema.count) }
        self.cells = cells
        generator = SeededGenerator(seed: config.seed)
        x0 = FloatBuffer(count: b * g)
        noise = FloatBuffer(count: b * g)
        noisy = FloatBuffer(count: b * g)
        target = config.target == .epsilon ? noise : FloatBuffer(count: b * g)
        weighting = config.minSNRGamma.map { MinSNRWeighting(gamma: $0, target: config.target) }
        timestepSampling = TimestepSampling(power: config.timestepPower)
        lossWeights = weighting == nil ? nil : FloatBuffer(count: b)
        dOutput = FloatBuffer(count: b * g)
        timesteps = FloatBuffer(count: b)
        partialSums = .allocate(capacity: max(1, Threads.count))
        network.reserve(batch: b)
        teamJob = { [unowned self] rank in self.run(rank: rank) }
    }

    deinit {
        partialSums.deallocate()
        batchLabels.deallocate()
    }

    /// Each layer's readouts on the probe batch (`ProbeBatch`). Between steps; it allocates,
    /// and reads the probe cells once (a streamed run would otherwise read them from disk).
    func probeReadouts() throws -> [LayerReadout] {
        if probe == nil { probe = try cells.first(config.batch) }
        return probe!.withUnsafeBufferPointer {
            ProbeBatch.readouts(network, data: $0.baseAddress!, cells: config.batch, seed: config.seed)
        }
    }

    /// How many training cells carry each label, a type or a combination of attributes
    /// (conditional runs).
    func trainingLabelCounts(_ attributes: LabelAttributes) -> [String: Int] {
        let a = attributes.columns.count
        var counts: [String: Int] = [:]
        for cell in 0..<((cellLabels?.count ?? 0) / a) {
            let values = (0..<a).map { k in
                let code = Int(cellLabels![cell * a + k])
                return code < attributes.classes[k].count ? attributes.classes[k][code] : ""
            }
            counts[attributes.label(values), default: 0] += 1
        }
        return counts
    }

    /// Restores the data position (generator and weights are restored by the caller).
    func restorePosition(epoch: Int, cursor: Int) {
        self.epoch = epoch
        self.cursor = cursor
    }

    /// Runs one step with learning rate `rate`. Returns false, leaving the weights as they
    /// were, when the loss is not finite; throws when the batch's cells cannot be read.
    func run(rate: Double) throws -> Bool {
        learningRate = rate
        if cursor + config.batch > cells.count {
            epoch += 1
            cursor = 0
        }
        try cells.prepare(epoch: epoch, positions: cursor..<(cursor + config.batch))
        optimiser.settings.learningRate = Float(rate)
        ProductPrecision.run(config.precision) { Parallel.team(teamJob) }
        return loss.isFinite
    }

    // MARK: - The step

    private func run(rank: Int) {
        let (b, g) = (config.batch, config.model.inputWidth)
        let count = b * g
        Parallel.single { assembleBatch() }
        let prediction = network.forward(x: noisy.constPointer, t: timesteps.constPointer,
                                         labels: cellLabels == nil ? nil : UnsafePointer(batchLabels), batch: b)
        let weights = lossWeights?.constPointer
        let value = MeanSquaredError.forward(prediction: prediction, target: target.constPointer, count: count,
                                             rowWeights: weights, rowLength: g)
        Parallel.single(then: .nowait) { loss = value }   // read only after the step
        guard value.isFinite else { return }   // every rank sees the same value

        MeanSquaredError.backward(dPrediction: dOutput.pointer, prediction: prediction, target: target.constPointer,
                                  count: count, normalizer: count, rowWeights: weights, rowLength: g)
        network.backward(dOutput: dOutput.constPointer)
        let clipScale = gradientClipScale()
        optimiser.update(parameters: network.parameters.trainable, gradients: network.gradients.trainable,
                         gradientScale: clipScale)
        if let ema, let decay = config.emaDecay {
            let (p, e, d) = (network.parameters.trainable, ema.pointer, Float(decay))
            Parallel.forEach(ema.count, work: 2) { range in
                for i in range { e[i] = d * e[i] + (1 - d) * p[i] }
            }
        }
    }

    /// x_0, t, ε, x_t, the target and its weight for the next batch (its positions are prepared).
    private func assembleBatch() {
        let (b, g) = (config.batch, config.model.inputWidth)
        let schedule = NoiseSchedule.standard
        for i in 0..<b {
            let (cell, values) = cells.cell(at: cursor + i)
            (x0.pointer + i * g).update(from: values, count: g)
            let t = timestepSampling.draw(using: &generator)
            timesteps[i] = Float(t)
            generator.fillNormal(noise.pointer + i * g, count: g)
            schedule.noise(x0.pointer + i * g, noise.pointer + i * g, at: t, into: noisy.pointer + i * g, count: g)
            if target !== noise {
                config.target.target(x0: x0.pointer + i * g, noise: noise.pointer + i * g, at: t,
                                     into: target.pointer + i * g, count: g)
            }
            if let weighting, let lossWeights { lossWeights[i] = weighting.weight(at: t) }
            if let cellLabels {
                // Label dropout draws only in conditional runs, so unconditional ones keep their
                // stream; one draw per attribute, so that each can be left out alone.
                let attributes = nullLabels.count
                for a in 0..<attributes {
                    let dropped = Double(generator.nextUniform()) < (config.labelDropout ?? 0)
                    batchLabels[i * attributes + a] = dropped ? nullLabels[a] : cellLabels[cell * attributes + a]
                }
            }
        }
        cursor += b
    }

    /// The global L2 norm of the gradient (summed per thread, combined in a fixed order), and
    /// the factor PyTorch's `clip_grad_norm_` would scale the gradient by (1 when clipping is
    /// off or the norm is within bounds), which AdamW applies as it reads each gradient.
    private func gradientClipScale() -> Float {
        let gradients = network.gradients.trainable
        let count = network.parameters.layout.trainableCount
        let squares = Parallel.sum(count, partials: partialSums) { range in
            VectorMath.sumOfSquares(gradients + range.lowerBound, count: range.count)
        }
        Parallel.single(then: .nowait) { gradientNorm = squares.squareRoot() }   // read only after the step
        guard let clip = config.gradientClip else { return 1 }
        let coefficient = clip / (squares.squareRoot() + 1e-6)
        return coefficient < 1 ? Float(coefficient) : 1
    }
}
