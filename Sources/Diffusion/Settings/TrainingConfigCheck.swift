import Networks

extension TrainingConfig {
    /// Checks a configuration read back from a run's `config.json` before anything is sized
    /// from it: what wbdit writes always passes, so a failure means the file was edited or
    /// damaged, and the message names the field.
    func checkStored() throws {
        func require(_ condition: Bool, _ field: String, _ value: @autoclosure () -> Any) throws {
            if !condition { throw TrainingError("\(field) is \(value()), out of range") }
        }
        func finite(_ x: Double, atLeast low: Double) -> Bool { x.isFinite && x >= low }
        do { try model.validate() } catch { throw TrainingError("model: \(error)") }
        try require(TrainingLimits.batch.contains(batch), "batch", batch)
        try require(threads >= 1, "threads", threads)
        try require(totalSteps >= 0, "totalSteps", totalSteps)
        try require(checkpointEvery >= 1 && keepCheckpoints >= 1 && readoutEvery >= 1,
                    "checkpointEvery/keepCheckpoints/readoutEvery", "\(checkpointEvery)/\(keepCheckpoints)/\(readoutEvery)")
        let rate = learningRate
        try require(finite(rate.peakRate, atLeast: 0) && finite(rate.minimumRate, atLeast: 0), "learningRate",
                    "\(rate.peakRate) (minimum \(rate.minimumRate))")
        try require(rate.warmupSteps >= 0 && rate.totalSteps >= 0, "learningRate's steps", "\(rate.warmupSteps)/\(rate.totalSteps)")
        let adam = optimiser
        try require([adam.beta1, adam.beta2].allSatisfy { $0.isFinite && $0 >= 0 && $0 < 1 }, "optimiser's betas", "\(adam.beta1), \(adam.beta2)")
        try require(adam.epsilon.isFinite && adam.epsilon > 0, "optimiser.epsilon", adam.epsilon)
        try require(TrainingLimits.weightDecay.contains(Double(adam.weightDecay)), "optimiser.weightDecay", adam.weightDecay)
        if let gradientClip { try require(finite(gradientClip, atLeast: 0) && gradientClip > 0, "gradientClip", gradientClip) }
        if let emaDecay { try require(TrainingLimits.isEMADecay(emaDecay), "emaDecay", emaDecay) }
        if let timeBudgetSeconds { try require(finite(timeBudgetSeconds, atLeast: 0) && timeBudgetSeconds > 0, "timeBudgetSeconds", timeBudgetSeconds) }
        if let labelDropout { try require(TrainingLimits.labelDropout.contains(labelDropout), "labelDropout", labelDropout) }
        if let minSNRGamma { try require(finite(minSNRGamma, atLeast: 0) && minSNRGamma > 0, "minSNRGamma", minSNRGamma) }
        if let timestepPower { try require(TrainingLimits.timestepPower.contains(timestepPower), "timestepPower", timestepPower) }
        try require((labelNames?.count) == model.classes, "labelNames' count", "\(labelNames?.count ?? 0) for \(model.classes ?? 0) classes")
        try require(data.genes >= 1 && data.cells >= 0, "data's cells × genes", "\(data.cells) × \(data.genes)")
        if let names = data.geneNames { try require(names.count == data.genes, "data.geneNames' count", "\(names.count) for \(data.genes) genes") }
        if let scale = data.geneScale {
            try require(scale.count == data.genes && scale.allSatisfy { $0.isFinite && $0 > 0 }, "data.geneScale",
                        "\(scale.count) values for \(data.genes) genes")
        }
        if let components = data.principalComponents { try require((1...data.genes).contains(components), "data.principalComponents", components) }
        if data.principalBasis == true {
            if let components = data.principalComponents {
                try require(model.genes == components, "model.genes", "\(model.genes) for \(components) principal components")
            }
        } else {
            try require(data.genes == model.genes, "model.genes", "\(model.genes) for data of \(data.genes) genes")
        }
    }
}
