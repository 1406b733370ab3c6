import Analysis
import CellData
import Diffusion
import Foundation
import Networks
import Report
import Workbench

/// A run told as a fixed sequence of workbench events: what the snapshot tests render.
/// Every number comes from a seeded formula, so the screens are the same on every machine.
enum ScriptedRun {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    static func config(architecture: Architecture = .whiteBox) throws -> TrainingConfig {
        let model = try ModelConfig(architecture: architecture, inputWidth: 40, patchSize: 10, hiddenSize: 64, depth: 3, heads: 4)
        let data = DataSource(path: "sample-data/zeisel2015.h5ad", checksum: "0", cells: 300, genes: 40, nonNegative: true)
        return TrainingConfig(softwareVersion: "test", model: model, data: data, batch: 16,
                              learningRate: LearningRateSchedule(peakRate: 1e-3, totalSteps: 1000), threads: 2,
                              totalSteps: 1000, checkpointEvery: 250, readoutEvery: 50)
    }

    static let labels = ["astrocytes", "microglia", "neurons", "oligodendrocytes"]

    /// 60 held-out cells of four types over 40 genes.
    static func reference() -> ReferenceCells {
        var values: [Float] = [], cellLabels: [String] = []
        for cell in 0..<60 {
            let type = cell % 4
            cellLabels.append(labels[type])
            for gene in 0..<40 { values.append(Float(((gene * 7 + cell * 3) % 11)) / 4 + (gene % 4 == type ? 2 : 0)) }
        }
        return ReferenceCells(values: values, genes: 40, geneNames: (0..<40).map { "Gene\($0)" }, labels: cellLabels,
                              labelColumn: "level1")
    }

    static func stepReport(_ step: Int) -> StepReport {
        let loss = 0.25 + 0.75 * exp(-Double(step) / 60) + 0.03 * sin(Double(step) * 1.7)
        return StepReport(step: step, totalSteps: 1000, epoch: step * 16 / 270, loss: loss, learningRate: 1e-3, gradientNorm: 0.5 + 0.1 * cos(Double(step)),
                          stepSeconds: 0.0425, cellsPerSecond: 376.5, etaSeconds: Double(1000 - step) * 0.0425, peakMemoryMiB: 212)
    }

    static func readouts(_ step: Int) -> [LayerReadout] {
        (0..<3).map { layer in
            // Below the ceiling of 4 tokens, 4 heads of width 16: 8·ln(401) ≈ 48 nats.
            LayerReadout(layer: layer, codingRate: 44 - Double(layer) * 6 - Double(step) / 200, codingRateSD: 1.5,
                         sparsity: 0.2 + 0.15 * Double(layer) + Double(step) / 2000)
        }
    }

    static func samples(step: Int) -> SampleSet {
        let r = reference()
        var values: [Float] = [], cells: [SampleSet.Cell] = []
        for cell in 0..<20 {
            let source = (cell * 7) % 60
            for gene in 0..<40 { values.append(max(0, r.value(cell: source, gene: gene) + Float((cell + gene) % 5) / 10 - 0.2)) }
            cells.append(SampleSet.Cell(librarySize: 900 + Double(cell * 37 % 200), genesDetected: 30 + cell % 10,
                                        nearestReal: source, nearestDistance: 1.5 + Double(cell % 7) / 10))
        }
        return SampleSet(step: step, genes: 40, values: values, cells: cells, path: "runs/demo/samples/step-\(step).npy")
    }

    static func map(withGenerated: Bool) -> CellMap {
        var real: [Float] = []
        for cell in 0..<60 {
            let type = cell % 4, angle = Double(cell) * 0.7
            real += [Float(cos(Double(type) * 1.57) * 20 + cos(angle) * 4), Float(sin(Double(type) * 1.57) * 20 + sin(angle) * 4)]
        }
        var generated: [Float]?
        if withGenerated {
            generated = (0..<20).flatMap { cell -> [Float] in
                let source = (cell * 7) % 60
                return [real[2 * source] + 1, real[2 * source + 1] - 1]
            }
        }
        return CellMap(real: real, generated: generated, generatedStep: withGenerated ? 250 : nil, iteration: 750,
                       totalIterations: 750, phase: "done", klDivergence: 0.412)
    }

    /// The run's units read in genes: 3 layers of 8 atoms over the reference's 40 genes.
    static func units() -> RunUnits {
        let genes = (0..<40).map { "Gene\($0)" }
        let readings = (0..<3).flatMap { layer in
            (0..<8).map { atom -> RunUnits.Unit in
                let auc = atom == 7 ? Double.nan : 0.99 - 0.04 * Double(atom) - 0.05 * Double(layer)
                let top = (0..<10).map { k -> (gene: Int, rho: Double) in
                    let sign: Double = k % 3 == 2 ? -1 : 1
                    return ((atom * 5 + k * 3) % 40, sign * (0.9 - 0.07 * Double(k)))
                }
                return RunUnits.Unit(layer: layer, kind: .atom, meaning: UnitMeaning(index: atom * 3 + layer, topGenes: atom == 7 ? [] : top,
                    type: atom == 7 ? nil : labels[atom % 4], specificity: auc, enrichedType: labels[atom % 4],
                    pValue: atom < 4 ? 1e-6 : 0.3, qValue: atom < 4 ? 1e-5 : 0.5))
            }
        }
        let random = (0..<24).map { RunUnits.Unit(layer: $0 / 8, kind: .random, meaning: UnitMeaning(index: $0, topGenes: [], type: labels[$0 % 4],
                                                                                                      specificity: $0 % 3 == 0 ? 0.93 : 0.7, enrichedType: nil, pValue: 1, qValue: 1)) }
        // Activations over the 60 held-out cells: atom a (unit 3a + layer) high in the cells of its type, a mod 4.
        var layer = [Float](repeating: 0, count: 60 * 24)
        for cell in 0..<60 {
            for unit in 0..<24 {
                let high: Float = 1 + Float(cell % 5) / 10, low: Float = Float(cell % 3) / 10
                layer[cell * 24 + unit] = cell % 4 == (unit / 3) % 4 ? high : low
            }
        }
        let activations = [layer, layer, layer]
        return RunUnits(architecture: .whiteBox, units: readings, heads: [], baselines: random, geneNames: genes,
                        tokenNames: [["Gene1"], ["Gene2"], ["Gene3"], ["Gene4"]], cells: 60, noiseStep: 10, activations: activations)
    }

    static func runs() -> [RunSummary] {
        let metrics = [EvaluationReport.Figure(key: "mmd2_rbf", generated: 0.0123, floor: 0.0015),
                       EvaluationReport.Figure(key: "knn_auc", generated: 0.71, floor: 0.52),
                       EvaluationReport.Figure(key: "gene_gene_corr_r", generated: 0.83, floor: 0.96)]
        return [
            RunSummary(name: "demo", architecture: "wbdit", shape: "64/3/4", parameters: 123_456, stepsDone: 300, totalSteps: 1000,
                       secondsPerStep: 0.0425, cellsPerSecond: 376, peakMemoryMiB: 212, bestLoss: 0.2711,
                       losses: stride(from: 1, through: 300, by: 3).map { ($0, stepReport($0).loss) }, metrics: metrics),
            RunSummary(name: "dit-baseline", architecture: "dit", shape: "64/3/4", parameters: 201_000, stepsDone: 1000, totalSteps: 1000,
                       secondsPerStep: 0.061, cellsPerSecond: 262, peakMemoryMiB: 240, bestLoss: 0.2502,
                       losses: stride(from: 1, through: 1000, by: 10).map { ($0, stepReport($0).loss * 0.95) }, metrics: []),
        ]
    }

    /// The state after 300 steps with readouts, a checkpoint, samples, a map and two runs.
    static func state(steps: Int = 300, architecture: Architecture = .whiteBox) throws -> WorkbenchState {
        var state = WorkbenchState()
        state.apply(.opened(path: "runs/demo", config: try config(architecture: architecture), parameters: 123_456, reference: reference()))
        state.apply(.status(.running))
        for step in 1...steps {
            state.apply(.trainer(.step(stepReport(step))))
            if step == 1 || step % 50 == 0 { state.apply(.trainer(.readouts(step: step, layers: readouts(step)))) }
            if step == 250 {
                state.apply(.trainer(.checkpointWritten(step: 250, path: "runs/demo/checkpoints/step-250.safetensors")),
                            now: start.addingTimeInterval(10))
            }
        }
        state.apply(.samples(samples(step: 250)))
        state.apply(.map(map(withGenerated: true)))
        state.apply(.runs(runs()))
        state.apply(.evaluation(step: 250, runs()[0].metrics))
        return state
    }
}
