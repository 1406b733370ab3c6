import CellData
import Networks

/// Generates cells from a training run's weights as they stand between two steps, without
/// touching them: the weights (or their EMA) are copied into a network of their own, and
/// the cells come back in the data's units as `NetworkSpace` restores them.
struct SnapshotSampler {
    let config: TrainingConfig
    let basis: PrincipalBasis?

    /// `cells` cells from `step`'s current weights, and in a conditional run the type each
    /// was asked to be.
    func generate(from step: TrainingStep, cells: Int, settings: SamplerSettings, useEMA: Bool, labels request: LabelRequest,
                  guidance: Double) throws -> (cells: CellMatrix, labels: [String]?) {
        let snapshot = DiffusionTransformer(config: config.model)
        snapshot.inferenceOnly = true
        snapshot.parameters.copy(from: step.network.parameters)
        if useEMA, let ema = step.ema {
            snapshot.parameters.trainable.update(from: ema.constPointer, count: ema.count)
        }
        let names = config.labelNames ?? []
        let labels = names.isEmpty ? nil : request.labels(cells: cells, names: names, counts: step.trainingLabelCounts(names: names))
        let classes = try labels.map { try config.classIndices(of: $0) }
        let generated = try NetworkSpace(config: config, basis: basis)
            .generate(config.target.noisePredictor(snapshot), settings: settings, cells: cells, labels: classes, guidance: guidance,
                      nullLabel: Int32(names.count))
        return (generated, labels)
    }
}
