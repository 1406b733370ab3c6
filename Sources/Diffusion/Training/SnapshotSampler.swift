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
                  guidance: Guidance) throws -> (cells: CellMatrix, labels: [String]?) {
        let snapshot = DiffusionTransformer(config: config.model)
        snapshot.inferenceOnly = true
        snapshot.parameters.copy(from: step.network.parameters)
        if useEMA, let ema = step.ema {
            snapshot.parameters.trainable.update(from: ema.constPointer, count: ema.count)
        }
        let attributes = config.labelAttributes
        let labels = attributes.flatMap { request.labels(cells: cells, counts: step.trainingLabelCounts($0)) }
        let condition = try attributes.map { attributes in
            try SamplingCondition(labels: labels ?? Array(repeating: "", count: cells), attributes: attributes, guidance: guidance)
        }
        let generated = try NetworkSpace(config: config, basis: basis)
            .generate(config.target.noisePredictor(snapshot), settings: settings, cells: cells, condition: condition)
        return (generated, labels)
    }
}
