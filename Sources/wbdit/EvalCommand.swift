import Analysis
import ArgumentParser
import CellData
import Foundation
import Networks

/// `wbdit eval`: how close generated cells are to real ones.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare generated cells with real cells, each metric beside its real-vs-real floor.",
        discussion: """
        Both files hold cells × genes over the same genes in the same order (.h5ad X or \
        .npy), as `wbdit prep` and `wbdit sample` write them. With --run, the run's \
        held-out cells are the real ones and as many cells are generated from its latest \
        checkpoint; report.json and report.md are written into the run. The floor of a \
        metric is its value between two random halves of the real cells. Definitions: \
        docs/metrics.md.

        Examples:
          wbdit eval --real heldout.h5ad --generated runs/demo/samples/generated.h5ad
          wbdit eval --run runs/demo
        """
    )

    @Option(help: "Real cells (.h5ad or .npy).")
    var real: String?
    @Option(help: "Generated cells (.h5ad or .npy).")
    var generated: String?
    @Option(name: .customLong("run"), help: "A run: its held-out cells against cells generated from its latest checkpoint.")
    var runPath: String?
    @Option(help: "With --run: DDIM steps for generating.")
    var steps: Int = 100
    @Option(help: "With --run: the sampling seed.")
    var seed: UInt64 = 0
    @Option(help: "With --real .h5ad: an obs column of cell types, for the label-mix and marker-gene rows (--run uses the run's --stratify column).")
    var labels: String?
    @Option(help: "Principal components for MMD and the Fréchet distance.")
    var components: Int = 50
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        guard components >= 1 else { throw InputError("--components must be at least 1") }
        let (a, b, names): (CellMatrix, CellMatrix, String)
        var labels: [String]?
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
                labels = try AnnDataFile(path: r).column(column)
            }
        case (nil, nil, let path?):
            (a, b, labels) = try RunEvaluation.cells(run: path, steps: steps, seed: seed)
            names = "\(a.cells) held-out cells of \(path), \(b.cells) generated from its latest checkpoint, \(a.genes) genes"
        default:
            throw InputError("give --real and --generated, or --run")
        }
        guard a.cells >= 4, b.cells >= 2 else { throw InputError("too few cells to compare (\(a.cells) real, \(b.cells) generated)") }
        let evaluation = Evaluation(real: a, generated: b, components: components, labels: labels)
        let jsonText = evaluation.json(extra: [("real_cells", String(a.cells)), ("generated_cells", String(b.cells)),
                                               ("genes", String(a.genes))])
        let table = Table([["metric", "generated", "real vs real"]] + evaluation.rows.map {
            [$0.name, String(format: "%.4f", $0.generated), String(format: "%.4f", $0.floor)]
        }).text
        if let runPath {
            let markdown = "# Evaluation\n\n\(names).\n\n| metric | generated | real vs real |\n|---|---|---|\n"
                + evaluation.rows.map { "| \($0.name) | \(String(format: "%.4f", $0.generated)) | \(String(format: "%.4f", $0.floor)) |" }
                    .joined(separator: "\n") + "\n"
            try AtomicFile.write(Data((jsonText + "\n").utf8), to: runPath + "/report.json")
            try AtomicFile.write(Data(markdown.utf8), to: runPath + "/report.md")
        }
        if json {
            print(jsonText)
        } else {
            print(names)
            print(table)
            if let runPath { print("wrote \(runPath)/report.json and \(runPath)/report.md") }
        }
    }

    private static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.8g", v) : "null" }
}
