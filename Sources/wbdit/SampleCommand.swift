import ArgumentParser
import CellData
import Diffusion
import Foundation
import TextUI
import Kernels
import Networks

/// `wbdit sample`: generate cells from a trained model.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate cells from a checkpoint with DDIM or DDPM.",
        discussion: """
        From a run whose data held counts, cells come out as UMI counts: the network's \
        cell's composition, the depth of a nearby training cell, and per-gene \
        negative-binomial noise fitted on the training counts (docs/recipe.md). An .h5ad \
        holds the counts in X (as a raw-count file would, ready for normalize_total and \
        log1p), their log-normalised values in layers["log1p_norm"], and obs total_counts, \
        n_genes_by_counts and library_size (the whole-transcriptome size the values are \
        normalised by); .npy and .csv hold what --values names. Data that arrived \
        log-normalised has no counts: the network's cells are written, with a note. \
        DDIM visits the reference's sub-sequence \
        (990, 980, …, 10, 1 for 100 steps) and by default ends as the reference does, on \
        ᾱ_0; --ending clean returns the model's clean estimate x̂_0 instead. Each cell \
        depends only on the seed and its index, not on --batch (up to the rounding of \
        the matrix products, which BLAS may do differently for another batch size). \
        Cells are drawn and written 8192 at a time, so a million take no more memory \
        than ten thousand.

        Example:
          wbdit sample --run runs/demo --n 1000 --steps 100 --out cells.h5ad
          wbdit sample --run runs/demo --n 1000 --values log-normalised --out cells.npy
          wbdit sample --run runs/demo --n 500 --scale-unit 3:140:4 --out atom140.h5ad   # one atom amplified
          wbdit sample --run runs/two --n 500 --label cell_type=B,donor=d3 --guidance cell_type=2 --out b-d3.h5ad
        """
    )

    @Option(help: "A safetensors checkpoint (or give --run).")
    var checkpoint: String?
    @Option(name: .customLong("run"), help: "A run directory: its latest checkpoint.")
    var runPath: String?
    @Flag(help: "With --run: the EMA weights (the run must keep them).")
    var ema = false
    @Option(name: .customLong("n"), help: "How many cells to generate.")
    var count: Int
    @OptionGroup(title: "Sampling") var sampling: SamplerOptions
    @Flag(name: .customLong("no-clamp"), help: "Keep negative values (by default cells are clamped at 0).")
    var noClamp = false
    @Option(help: "With a conditional run: generate cells of this type (a label it was trained on); with several label columns COLUMN=VALUE[,COLUMN=VALUE…], any of them (the others left out).")
    var label: String?
    @Option(name: .customLong("labels-like"), help: "With a conditional run: `real` generates the training cells' mix of types (or of combinations, with several label columns), in proportion.")
    var labelsLike: String?
    @Option(help: "Classifier-free guidance: one weight W for every label column (1: plain conditional sampling; > 1 pushes harder towards the label), or COLUMN=W[,COLUMN=W…] per column.")
    var guidance: String = "1"
    @Option(help: "How several label columns' guidance composes: joint (the asked combination as a whole, each column pushed by its weight) or product (one expert per column, as CFGen).")
    var compose: Guidance.Composition = .joint
    @Option(name: .customLong("scale-unit"), help: "LAYER:UNIT:FACTOR — multiply one ISTA atom (white-box) or MLP unit (DiT) by FACTOR in every step, as `inspect --units` numbers them (0 removes it).")
    var scaleUnit: String?
    @Option(help: "Cells denoised at once (memory grows with it).")
    var batch: Int = 32
    @Option(help: "Threads (default: all cores).")
    var threads: Int?
    @Option(help: "What .npy and .csv hold: counts, log-normalised (the counts normalised as the training cells were) or network (the network's own cells, before counts are drawn; also X of an .h5ad).")
    var values: GeneratedValues = .counts
    @Option(help: "Where to write the cells: .h5ad (for scanpy; genes named as in training), .csv or .npy.")
    var out: String

    /// Which values a file holds.
    enum GeneratedValues: String, ExpressibleByArgument, CaseIterable {
        case counts, logNormalised = "log-normalised", network
    }

    func run() throws {
        guard (1...10_000_000).contains(count) else { throw InputError("--n must be between 1 and 10000000 (got \(count))") }
        guard (1...4096).contains(batch) else { throw InputError("--batch must be between 1 and 4096 (got \(batch))") }
        guard [".h5ad", ".npy", ".csv"].contains(where: out.lowercased().hasSuffix) else {
            throw InputError("--out must name an .h5ad, .npy or .csv file (got \(out))")
        }
        try Threads.configureFromOption(threads)
        let source = try Source(self)
        if let scaleUnit { source.network.intervention = try Self.intervention(scaleUnit, source.network.config) }
        let (requested, guidance) = try requestedLabels(source)
        let asked = sampling.settings(clamp: !noClamp)
        let progress = ProgressLine()
        let started = ProcessInfo.processInfo.systemUptime
        let report = { (done: Int, total: Int) in
            let elapsed = ProcessInfo.processInfo.systemUptime - started
            let eta = elapsed / Double(done) * Double(total - done)
            progress.update(String(format: "sampling: step %d/%d  %.0f%%  ETA %@", done, total,
                                   100 * Double(done) / Double(total), Format.duration(eta)))
        }
        // Cells are drawn and written a block at a time: each depends only on the seed and its
        // index, so the blocks are the cells drawn at once, in bounded memory.
        let block = max(batch, Self.blockCells / batch * batch)
        let geneNames = source.geneNames(genes: source.genes)
        let output = try self.output(for: source, geneNames: geneNames)
        let names = (0..<count).map { "generated-\($0)" }
        for first in stride(from: 0, to: count, by: block) {
            let n = min(block, count - first)
            let (batches, allBatches) = ((n + batch - 1) / batch, (count + batch - 1) / batch)
            let blockProgress = { (done: Int, total: Int) in   // the sampler counts steps of this block's batches
                let stepsPerBatch = total / batches
                report(stepsPerBatch * first / batch + done, stepsPerBatch * allBatches)
            }
            let cells: CellMatrix, drawn: GeneratedCounts?
            switch source.origin {
            case .run(let run):
                (cells, drawn) = try run.generate(source.network, settings: asked, cells: n, firstCell: first, batch: batch,
                                                  labels: requested.map { Array($0[first..<(first + n)]) }, guidance: guidance,
                                                  counts: output.writesCounts, progress: blockProgress)
            case .checkpoint(_, let target):
                cells = try NetworkSpace.network.generate(target.noisePredictor(source.network), settings: asked, cells: n,
                                                          firstCell: first, batch: batch, progress: blockProgress)
                drawn = nil
            }
            try output.append(cells, counts: drawn, cellNames: Array(names[first..<(first + n)]))
        }
        progress.finish()
        let every = { (value: String) in Array(repeating: value, count: count) }
        let categories = (requested.map { [("label", $0)] + Self.columns(of: $0, source) } ?? []) + [("source", every("generated")),
                         ("model", every(source.network.config.architecture.rawValue)), ("step", every(source.step.map(String.init) ?? "unknown"))]
        try output.finish(cellNames: names, geneNames: geneNames, categories: categories)
        let seconds = ProcessInfo.processInfo.systemUptime - started
        print(String(format: "wrote %@: %d cells × %d genes, %@, in %@ (%.2f cells/s)", out, count,
                     source.genes, output.description, Format.duration(seconds), Double(count) / seconds))
    }

    /// Cells drawn and written at once (rounded down to whole batches): about 200 MB of
    /// values at 2000 genes, whatever --n.
    static let blockCells = 8192

    /// The file the cells go to, with what it will hold: counts from a run that has them.
    private func output(for source: Source, geneNames: [String]?) throws -> SampleOutput {
        switch source.origin {
        case .run(let run):
            return try SampleOutput(path: out, cells: count, genes: source.genes, geneNames: geneNames, values: values,
                                    counts: wantsCounts(run) && run.countModel != nil)
        case .checkpoint(let path, _):
            if values != .network {
                printNote("a checkpoint alone does not know the data's counts: writing the network's cells (give --run for counts)")
            }
            if let scores = Self.scoresRun(of: path) {
                printNote("\(path) generates principal-component scores, not genes: they are written as PC1, PC2, … (sample with --run \(scores) for cells)")
            }
            return try SampleOutput(path: out, cells: count, genes: source.genes, geneNames: geneNames, values: values, counts: false)
        }
    }

    /// Where cells come from: a trained run (its latest checkpoint, or its EMA weights) or
    /// a checkpoint file alone, with the network and the step its weights come from.
    private struct Source {
        enum Origin {
            case run(TrainedRun)
            /// A checkpoint file, with what it was trained to predict (its `prediction` metadata).
            case checkpoint(String, PredictionTarget)
        }
        let origin: Origin
        let network: DiffusionTransformer
        let step: Int?

        init(_ command: Sample) throws {
            switch (command.checkpoint, command.runPath) {
            case (let path?, nil):
                guard !command.ema else { throw InputError("--ema needs --run (EMA weights live in the run's optimiser state)") }
                let metadata = (try? SafeTensorsFile(contentsOf: path))?.metadata ?? [:]
                let target = metadata["prediction"] ?? PredictionTarget.epsilon.rawValue
                guard let prediction = PredictionTarget(rawValue: target) else {
                    throw InputError("\(path): metadata prediction is \"\(target)\", not one of \(PredictionTarget.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                (origin, network, step) = (.checkpoint(path, prediction), try Checkpoint.load(path), metadata["step"].flatMap { Int($0) })
                network.inferenceOnly = true
            case (nil, let path?):
                let run = try TrainedRun(path: path)
                origin = .run(run)
                (network, step) = try run.network(ema: command.ema)
            default:
                throw InputError("give --checkpoint or --run (one of them)")
            }
        }

        /// How many values a generated cell has in the data's units (genes, or a checkpoint's
        /// own width).
        var genes: Int {
            switch origin {
            case .run(let run): run.space.genes(networkWidth: network.config.inputWidth)
            case .checkpoint: network.config.inputWidth
            }
        }

        /// The columns' names: the genes as the run recorded them, or PC1… for a checkpoint
        /// that generates principal-component scores.
        func geneNames(genes: Int) -> [String]? {
            switch origin {
            case .run(let run): run.config.data.geneNames
            case .checkpoint(let path, _): Sample.scoresRun(of: path) == nil ? nil : (1...genes).map { "PC\($0)" }
            }
        }
    }

    /// The label of each cell to generate, for a conditional run asked for one, and the guidance.
    private func requestedLabels(_ source: Source) throws -> (labels: [String]?, guidance: Guidance) {
        guard label == nil || labelsLike == nil else { throw InputError("give --label or --labels-like, not both") }
        guard label != nil || labelsLike != nil else {
            guard guidance == "1" else { throw InputError("--guidance needs --label or --labels-like") }
            return (nil, .plain)
        }
        guard case .run(let run) = source.origin, let attributes = run.config.labelAttributes,
              source.network.config.labelClasses == attributes.classes.map(\.count) else {
            throw InputError("--label and --labels-like need --run with a conditional run (trained with --labels)")
        }
        let guidance = try GuidanceOption.parse(self.guidance, composition: compose, attributes: attributes)[0]
        if let label {
            do { _ = try attributes.codes(of: [label]) } catch let error as TrainingError { throw InputError(error.description) }
            return (Array(repeating: label, count: count), guidance)
        }
        guard labelsLike == "real" else { throw InputError("--labels-like takes `real` (got \(labelsLike!))") }
        return (try run.trainingMix(count), guidance)
    }

    /// With several label columns, each column's asked value per cell, as obs columns of
    /// their own ("" where it was left out).
    private static func columns(of labels: [String], _ source: Source) -> [(String, [String])] {
        guard case .run(let run) = source.origin, let columns = run.config.labelAttributes?.columns, columns.count > 1,
              let values = try? labels.map({ try CombinedLabel.values(in: $0, columns: columns) }) else { return [] }
        return columns.enumerated().map { a, column in (column, values.map { $0[a] ?? "" }) }
    }

    /// `--scale-unit LAYER:UNIT:FACTOR`, layers counted from 1.
    static func intervention(_ text: String, _ config: ModelConfig) throws -> UnitIntervention {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let layer = Int(parts[0]), let unit = Int(parts[1]), let scale = Float(parts[2]) else {
            throw InputError("--scale-unit takes LAYER:UNIT:FACTOR, e.g. 3:140:4 (got \(text))")
        }
        let intervention = UnitIntervention(layer: layer - 1, unit: unit, scale: scale)
        if let problem = intervention.problem(for: config) { throw InputError("--scale-unit \(text): \(problem)") }
        return intervention
    }

    /// Whether cells come out as counts: asked for, and the run can (a note on stderr when not).
    private func wantsCounts(_ run: TrainedRun) -> Bool {
        guard values != .network else { return false }
        if let reason = run.countsUnavailable { printNote("writing the network's cells, not counts: \(reason)") }
        return true
    }

    private func printNote(_ text: String) { FileHandle.standardError.write(Data("note: \(text)\n".utf8)) }

    /// With --checkpoint of a run trained on principal-component scores (the checkpoint's
    /// `space`, or for older ones the run it sits in, RUN/checkpoints/): that run.
    static func scoresRun(of path: String) -> String? {
        let run = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
        let space = (try? SafeTensorsFile(contentsOf: path))?.metadata["space"]
        return space == "principal-components" || (try? RunDirectory.open(run))?.1.data.principalBasis == true ? run : nil
    }
}
