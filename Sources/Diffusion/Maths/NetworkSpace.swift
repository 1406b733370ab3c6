import CellData

/// What a run's network generates and how it returns to the data's units. A network
/// trained on principal-component scores (`--pca-basis`) generates scores: they are
/// restored to genes, and only then clamped at 0; otherwise the sampler clamps the cells
/// itself. Either way the per-gene scale (`--scale-genes`) is undone last.
public struct NetworkSpace {
    public let basis: PrincipalBasis?
    public let geneScale: [Float]?
    /// Whether the data is non-negative, so that generated cells may be clamped at 0.
    public let nonNegative: Bool

    public init(config: TrainingConfig, basis: PrincipalBasis?) {
        self.init(basis: basis, geneScale: config.data.geneScale, nonNegative: config.data.nonNegative)
    }

    public init(basis: PrincipalBasis?, geneScale: [Float]?, nonNegative: Bool) {
        self.basis = basis
        self.geneScale = geneScale
        self.nonNegative = nonNegative
    }

    /// A checkpoint's own space, without a run: cells are what the network generates.
    public static let network = NetworkSpace(basis: nil, geneScale: nil, nonNegative: true)

    /// `cells` cells drawn from `predictor` with the `requested` settings, in the data's
    /// units (`samplerSettings`, the sampler, then `toData`): what sampling, evaluation,
    /// the report and the trainer's samples all generate; cells `firstCell…` of the seed's sequence.
    public func generate(_ predictor: NoisePredictor, settings requested: SamplerSettings, cells: Int, firstCell: Int = 0, batch: Int = 32,
                         condition: SamplingCondition? = nil,
                         progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> CellMatrix {
        var values = Sampler(settings: try samplerSettings(requested))
            .sample(predictor, cells: cells, firstCell: firstCell, batch: batch, condition: condition, progress: progress)
        toData(&values, clamp: requested.clampNonNegative)
        if let i = values.firstIndex(where: { !$0.isFinite }) {   // clamping keeps NaN, so nothing hides it
            throw TrainingError("the generated cells are not finite (\(values[i]) in cell \(firstCell + i / (values.count / cells))): the network's weights or the run's basis are out of range")
        }
        return CellMatrix(cells: cells, genes: values.count / cells, values: values)   // genes, however wide the network
    }

    /// How many values a generated cell has in the data's units, for a network `width` wide.
    public func genes(networkWidth width: Int) -> Int { basis?.genes ?? width }

    /// The sampler's settings for a request: clamping inside the sampler only when the
    /// network generates cells and the data is non-negative.
    public func samplerSettings(_ requested: SamplerSettings) throws -> SamplerSettings {
        var settings = requested
        if basis != nil {
            guard !requested.clampEstimate else {
                throw TrainingError("clamping the clean estimate needs a network that generates cells, not principal-component scores")
            }
            settings.clampNonNegative = false
        } else {
            settings.clampNonNegative = requested.clampNonNegative && nonNegative
        }
        return settings
    }

    /// Generated values (`samplerSettings`' output) in the data's units, in place: as many
    /// genes per cell as the data has, even when the network sees fewer leading scores;
    /// `clamp` is the request's clamping, applied here to restored scores.
    public func toData(_ values: inout [Float], clamp: Bool) {
        if let basis {
            basis.restore(&values)
            if clamp && nonNegative { for i in values.indices where values[i] < 0 { values[i] = 0 } }
        }
        if let geneScale { Preprocessing.unscale(&values, genes: geneScale.count, scale: geneScale) }
    }
}
