import Analysis
import ArgumentParser
import CellData
import Diffusion
import Foundation
import Storage
import Networks
import Report

/// `wbdit eval`: how close generated cells are to real ones.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare generated cells with real cells, each metric beside its real-vs-real floor.",
        discussion: """
        Both files hold cells × genes over the same genes in the same order (.h5ad X or \
        .npy), as `wbdit prep` and `wbdit sample` write them. With --run, the run's \
        held-out cells are the real ones and as many cells are generated from its latest \
        checkpoint; report.json and report.md are written into the run. --run with \
        --generated judges cells made elsewhere (another sampler, PyTorch) the same way, \
        without writing a report. The principal components (for MMD², the Fréchet \
        distance and the kNN classifier) are fitted on the real cells, or with --run on \
        the run's training cells. The floor of a metric is its value between two random \
        halves of the real cells, or with --run between the held-out cells and as many \
        training cells. Definitions: docs/metrics.md.

        For a conditional run (trained with --labels) each generated cell is asked for \
        the type of a held-out cell, and a second table scores each type: how often a \
        5-NN classifier trained on the held-out cells calls it that type, its MMD² to the \
        real cells of the type, and its top-20 marker genes shared with theirs. Several \
        --guidance values sweep classifier-free guidance and compare them.

        Examples:
          wbdit eval --real heldout.h5ad --generated runs/demo/samples/generated.h5ad
          wbdit eval --run runs/demo
          wbdit eval --run runs/demo --generated cells-from-pytorch.npy
          wbdit eval --run runs/types --guidance 0,1,2,4
        """
    )

    @Option(help: "Real cells (.h5ad or .npy).")
    var real: String?
    @Option(help: "Generated cells (.h5ad or .npy).")
    var generated: String?
    @Option(name: .customLong("run"), help: "A run: its held-out cells against cells generated from its latest checkpoint (or against --generated).")
    var runPath: String?
    @OptionGroup(title: "Sampling (with --run)") var sampling: SamplerOptions
    @Flag(help: "With --run: sample with the run's EMA weights (the run must keep them).")
    var ema = false
    @Option(help: "An obs column of cell types, for the cell-type mix, fold-change and marker rows: of --real (.h5ad), or of the run's data with --run (default: the run's --stratify column).")
    var labels: String?
    @Option(help: "With --run of a conditional run: classifier-free guidance weights W, comma-separated (1: plain conditional; several: a sweep), or COLUMN=W[,COLUMN=W…] per label column.")
    var guidance: String = "1"
    @Option(help: "How several label columns' guidance composes: joint or product (see `wbdit sample --help`).")
    var compose: Guidance.Composition = .joint
    @Option(help: "Principal components for MMD and the Fréchet distance.")
    var components: Int = 50
    @Flag(name: .customLong("no-counts"), help: "With --run: score the network's own cells, without drawing counts around them.")
    var noCounts = false
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    /// How --run draws its cells.
    private var settings: SamplerSettings { sampling.settings() }

    func run() throws {
        guard components >= 1 else { throw InputError("--components must be at least 1") }
        let (a, b, names): (CellMatrix, CellMatrix, String)
        var labels: [String]?
        var perLabel: PerLabelEvaluation?
        var attributes: AttributeRecognition?
        var basis: PCA?
        var peer: (cells: CellMatrix, labels: [String]?)?
        var counts: Evaluation.Counts?
        var countModelComponents: Int?
        var guidanceWeight: Double?   // report.json's: the weight every label column shares
        switch (real, generated, runPath) {
        case (let r?, let g?, nil):
            let (ra, namesA) = try CellInput.load(r), (gb, namesB) = try CellInput.load(g)
            guard ra.genes == gb.genes else { throw InputError("\(r) has \(ra.genes) genes but \(g) has \(gb.genes)") }
            if let namesA, let namesB, namesA != namesB {
                throw InputError("\(r) and \(g) name their genes differently: compare cells over the same genes, in the same order")
            }
            (a, b, names) = (ra, gb, "\(ra.cells) real cells, \(gb.cells) generated, \(ra.genes) genes")
            if let column = self.labels {
                guard r.lowercased().hasSuffix(".h5ad") else { throw InputError("--labels needs --real as an .h5ad") }
                labels = try AnnDataFile(path: r).labels(column)
            }
        case (nil, nil, let path?):
            let context = try RunEvaluation(run: TrainedRun(path: path), ema: ema, counts: !noCounts, labels: self.labels)
            let weights = try GuidanceOption.parse(guidance, composition: compose, attributes: context.config.labelAttributes, sweep: true)
            if weights.count > 1 { return try sweep(context, weights) }
            (basis, peer) = (context.basis(components: components), context.peer)
            let generated = try generate(context, guidance: weights[0])
            guidanceWeight = weights[0].weights.isEmpty ? weights[0].weight : nil
            (a, b, labels, counts) = (context.real, generated.cells, context.labels, context.counts(generated: generated.counts))
            if let reason = context.countsUnavailable, !json { print("note: generated cells are not counts: \(reason)") }
            countModelComponents = context.countModel?.smoothComponents
            names = "\(a.cells) held-out cells of \(path), \(b.cells) generated from its latest checkpoint\(context.requested == nil ? "" : " (guidance \(weights[0]))"), \(a.genes) genes"
                + (countModelComponents.map { ", as counts around their leading \($0) principal components (molecular cross-validation)" } ?? "")
            if let requested = context.requested, let labels {
                perLabel = PerLabelEvaluation(real: a, labels: labels, generated: b, requested: requested, components: components,
                                              basis: basis)
                if let columns = context.config.labelAttributes?.columns, columns.count > 1, let basis {
                    attributes = try AttributeRecognition(real: a, labels: labels, generated: b, requested: requested,
                                                          columns: columns, basis: basis)
                }
            }
        case (nil, let g?, let path?):
            let context = try RunEvaluation(run: TrainedRun(path: path), sampling: false, labels: self.labels)
            let (cells, geneNames, generatedCounts) = try CellInput.generated(g)
            guard cells.genes == context.real.genes else {
                throw InputError("\(g) has \(cells.genes) genes but \(path) was trained on \(context.real.genes)")
            }
            if let geneNames, let runNames = context.geneNames, geneNames != runNames {
                throw InputError("\(g) names its genes differently from \(path)'s data: compare cells over the same genes, in the same order")
            }
            (a, b, labels, basis, peer) = (context.real, cells, context.labels, context.basis(components: components), context.peer)
            counts = context.counts(generated: generatedCounts)
            names = "\(a.cells) held-out cells of \(path), \(b.cells) from \(g), \(a.genes) genes"
        default:
            throw InputError("give --real and --generated, or --run (with or without --generated)")
        }
        guard a.cells >= 4, b.cells >= 2 else { throw InputError("too few cells to compare (\(a.cells) real, \(b.cells) generated)") }
        let evaluation = Evaluation(real: a, generated: b, components: components, labels: labels, basis: basis, peer: peer,
                                    counts: counts)
        // What the generated cells were: counts drawn by the run's count model, the network's own cells, or a file's.
        let values = generated != nil ? "file" : counts != nil ? "counts" : "network"
        let report = EvaluationReport(evaluation, realCells: a.cells, generatedCells: b.cells, genes: a.genes, generatedValues: values,
                                      countModelComponents: countModelComponents,
                                      guidance: perLabel == nil ? nil : guidanceWeight, types: perLabel,
                                      attributes: attributes)
        let jsonBytes = try report.encoded()
        let table = Table([["metric", "generated", "real vs real"]] + evaluation.rows.map {
            [$0.name, String(format: "%.4f", $0.generated), String(format: "%.4f", $0.floor)]
        }).text
        if let runPath, generated == nil {
            var markdown = "# Evaluation\n\n\(names).\n\n| metric | generated | real vs real |\n|---|---|---|\n"
                + evaluation.rows.map { "| \($0.name) | \(String(format: "%.4f", $0.generated)) | \(String(format: "%.4f", $0.floor)) |" }
                    .joined(separator: "\n") + "\n"
            if let perLabel { markdown += "\n## Per cell type\n\n" + Self.perLabelTable(perLabel).markdown }
            if let attributes { markdown += "\n## Per label column\n\n" + Self.attributeTable(attributes).markdown }
            try report.write(intoRun: runPath)
            try AtomicFile.write(Data(markdown.utf8), to: runPath + "/report.md")
        }
        if json {
            print(String(decoding: jsonBytes, as: UTF8.self), terminator: "")
        } else {
            print(names)
            print(table)
            if let perLabel {
                print("\nPer cell type (chance accuracy \(String(format: "%.3f", perLabel.chance))):")
                print(Self.perLabelTable(perLabel).text)
            }
            if let attributes {
                print("\nPer label column (a 5-NN classifier of real cells calls each generated cell's value):")
                print(Self.attributeTable(attributes).text)
            }
            if let runPath, generated == nil { print("wrote \(runPath)/report.json and \(runPath)/report.md") }
        }
    }

    /// The run's cells generated for evaluation, with a progress line.
    private func generate(_ context: RunEvaluation, guidance: Guidance) throws -> (cells: CellMatrix, counts: CellMatrix?) {
        let progress = ProgressLine()
        defer { progress.finish() }
        let what = context.requested == nil ? "" : " (guidance \(guidance))"
        return try context.generate(settings, guidance: guidance) { done, total in
            progress.update(String(format: "sampling %d cells%@: step %d/%d", context.real.cells, what, done, total))
        }
    }


    /// Generates and scores the held-out mix at each guidance weight; prints each type's
    /// figures and a summary line per weight, and writes sweep.json into the run.
    private func sweep(_ context: RunEvaluation, _ weights: [Guidance]) throws {
        guard let labels = context.labels, let requested = context.requested else { return }
        var results: [(Guidance, PerLabelEvaluation)] = []
        let basis = context.basis(components: components)
        for w in weights {
            let generated = try generate(context, guidance: w).cells
            let result = PerLabelEvaluation(real: context.real, labels: labels, generated: generated, requested: requested,
                                            components: components, basis: basis)
            results.append((w, result))
            if !json { print("guidance \(w):\n" + Self.perLabelTable(result).text + "\n") }
        }
        let summary = Table([["guidance W", "accuracy", "chance", "mean MMD² per type", "marker overlap"]] + results.map { w, r in
            [w.description, String(format: "%.3f", r.accuracy), String(format: "%.3f", r.chance),
             String(format: "%.4f", r.means.mmd2), String(format: "%.3f", r.means.markerOverlap)]
        })
        let sweepBytes = try GuidanceSweepEntry.encoded(results.map { GuidanceSweepEntry(guidance: $0.weight, $1) })
        try AtomicFile.write(sweepBytes, to: context.path + "/sweep.json")
        if json { print(String(decoding: sweepBytes, as: UTF8.self), terminator: "") } else {
            print("\(context.real.cells) held-out cells of \(context.path), as many generated at each weight:")
            print(summary.text)
            print("wrote \(context.path)/sweep.json")
        }
    }

    static func attributeTable(_ e: AttributeRecognition) -> Table {
        func f(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "–" }
        return Table([["label column", "accuracy", "real vs real", "chance"]] + e.rows.map { [$0.column, f($0.accuracy), f($0.floor), f($0.chance)] })
    }

    static func perLabelTable(_ e: PerLabelEvaluation) -> Table {
        func f(_ v: Double, _ format: String) -> String { v.isFinite ? String(format: format, v) : "–" }
        return Table([["cell type", "real", "generated", "accuracy", "real vs real", "MMD²", "real vs real", "markers shared"]]
            + e.rows.map { r in
                [r.label, String(r.realCells), String(r.generatedCells), f(r.accuracy, "%.3f"), f(r.accuracyFloor, "%.3f"),
                 f(r.mmd2, "%.4f"), f(r.mmd2Floor, "%.4f"), f(r.markerOverlap, "%.2f")]
            })
    }


}
