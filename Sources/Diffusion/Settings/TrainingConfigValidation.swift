import CellData
import Networks

/// One validation for every run, new or stored: the ranges are `TrainingLimits`, each rule
/// is written once here, and its message names the setting and the value.
extension TrainingConfig {
    /// Checks every setting that does not depend on the data: what `RunPlan.validate` runs
    /// on a new run's settings before the data is read, and `checkStored` on a stored run.
    public func checkSettings() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw TrainingError(message()) }
        }
        func positive(_ x: Double) -> Bool { x.isFinite && x > 0 }
        do { try model.validate() } catch { throw TrainingError("model: \(error)") }
        let batches = TrainingLimits.batch
        try require(batches.contains(batch), "the batch must be between \(batches.lowerBound) and \(batches.upperBound) cells (got \(batch))")
        try require(TrainingLimits.threads.contains(threads), "threads must be between 1 and \(TrainingLimits.threads.upperBound) (got \(threads))")
        try require(totalSteps >= 1, "the run needs at least 1 step (got \(totalSteps))")
        try require(checkpointEvery >= 1 && keepCheckpoints >= 1 && readoutEvery >= 1,
                    "checkpoint-every, keep and readout-every must be at least 1 (got \(checkpointEvery), \(keepCheckpoints), \(readoutEvery))")
        let rate = learningRate
        try require(positive(rate.peakRate), "the learning rate must be positive (got \(rate.peakRate))")
        try require(rate.minimumRate.isFinite && rate.minimumRate >= 0 && rate.minimumRate <= rate.peakRate,
                    "the minimum learning rate must be in [0, the learning rate \(rate.peakRate)] (got \(rate.minimumRate))")
        try require(rate.warmupSteps >= 0, "the warm-up must be at least 0 steps (got \(rate.warmupSteps))")
        try require(rate.totalSteps >= 0, "the schedule's length must be at least 0 steps (got \(rate.totalSteps))")
        let adam = optimiser
        try require([adam.beta1, adam.beta2].allSatisfy { $0.isFinite && $0 >= 0 && $0 < 1 }, "AdamW's betas must be in [0, 1) (got \(adam.beta1), \(adam.beta2))")
        try require(adam.epsilon.isFinite && adam.epsilon > 0, "AdamW's epsilon must be positive (got \(adam.epsilon))")
        try require(TrainingLimits.weightDecay.contains(Double(adam.weightDecay)), "the weight decay must be in [0, 1] (got \(adam.weightDecay))")
        if let gradientClip { try require(positive(gradientClip), "the gradient clip must be positive (got \(gradientClip))") }
        if let emaDecay { try require(TrainingLimits.isEMADecay(emaDecay), "the EMA decay must be in (0, 1) (got \(emaDecay))") }
        if let timeBudgetSeconds {
            try require(positive(timeBudgetSeconds), "the time budget must be a positive number of seconds (got \(timeBudgetSeconds))")
        }
        if let labelDropout { try require(TrainingLimits.labelDropout.contains(labelDropout), "the label dropout must be in [0, 1) (got \(labelDropout))") }
        if let minSNRGamma { try require(positive(minSNRGamma), "the min-SNR γ must be positive (got \(minSNRGamma))") }
        if let timestepPower { try require(TrainingLimits.timestepPower.contains(timestepPower), "the timestep power must be in [1, 10] (got \(timestepPower))") }
    }

    /// Checks a configuration read back from a run's `config.json` before anything is sized
    /// from it: its settings, then what the data fixed. What wbdit writes always passes, so
    /// a failure means the file was edited or damaged.
    func checkStored() throws {
        try checkSettings()
        func require(_ condition: Bool, _ field: String, _ value: @autoclosure () -> Any) throws {
            if !condition { throw TrainingError("\(field) is \(value()), out of range") }
        }
        let classCounts = labelNames?.attributes.map(\.count)
        try require(classCounts == model.labelClasses, "labelNames' counts",
                    "\(classCounts ?? []) for \(model.labelClasses ?? []) classes")
        try require(labelColumn.map { CombinedLabel.columns(of: $0).count } == classCounts?.count, "labelColumn",
                    "\(labelColumn ?? "none") for \(classCounts?.count ?? 0) label attributes")
        try require(data.genes >= 1 && data.cells >= 0, "data's cells × genes", "\(data.cells) × \(data.genes)")
        if let names = data.geneNames { try require(names.count == data.genes, "data.geneNames' count", "\(names.count) for \(data.genes) genes") }
        if let scale = data.geneScale {
            try require(scale.count == data.genes && scale.allSatisfy { $0.isFinite && $0 > 0 }, "data.geneScale",
                        "\(scale.count) values for \(data.genes) genes")
        }
        if let components = data.principalComponents { try require((1...data.genes).contains(components), "data.principalComponents", components) }
        if data.principalBasis == true {
            if let components = data.principalComponents {
                try require(model.inputWidth == components, "model.genes", "\(model.inputWidth) for \(components) principal components")
            }
        } else {
            try require(data.genes == model.inputWidth, "model.genes", "\(model.inputWidth) for data of \(data.genes) genes")
        }
    }
}
